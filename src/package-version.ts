// The version of the installed package, read from the nearest package.json above this module (source or dist).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The `version` of hexarch-guardrails' package.json, found walking up from this file; "unknown" if none is found.
 * @example packageVersion() // "0.1.0"
 */
export function packageVersion(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === "hexarch-guardrails" && typeof manifest.version === "string") return manifest.version;
    } catch {
      // no readable package.json in this folder: keep walking up
    }
    const parent = dirname(folder);
    if (parent === folder) return "unknown";
    folder = parent;
  }
}
