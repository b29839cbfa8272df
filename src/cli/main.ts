#!/usr/bin/env node
// The `hexarch` executable: runs the command line and exits with its code.
import { runCli } from "./program.js";
import { processTerminal } from "./terminal.js";

// A reader that closed its end of the pipe (`hexarch explain | head -3`) has all it wants: end quietly with 0, as a
// shell tool ended by SIGPIPE does, instead of an unhandled EPIPE trace. Any other stream error stays fatal.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(0);
  });
}

process.exitCode = await runCli(process.argv, processTerminal());
