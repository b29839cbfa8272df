// Reads what `hexarch init` printed: the app file it suggests, as a reader would copy it.

/**
 * The file block of init's output: the `<file>:` line and the four-space-indented lines under it, unindented.
 * @example printedFile(stdout) // { file: "server.js", code: ['const express = require("express");', …] }
 */
export function printedFile(stdout: string): { file: string; code: string[] } {
  const lines = stdout.split("\n");
  const start = lines.findIndex((line, i) => /^\S+:$/.test(line) && lines[i + 1]?.startsWith("    ") === true);
  const code: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith("    ")) break;
    code.push(line.slice(4));
  }
  return { file: (lines[start] ?? "").slice(0, -1), code };
}
