#!/usr/bin/env node
// The `hexarch` executable: runs the command line and exits with its code.
import { runCli } from "./program.js";
import { processTerminal } from "./terminal.js";

process.exitCode = await runCli(process.argv, processTerminal());
