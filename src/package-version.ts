// The installed package's own folder and version, found from the nearest package.json above this module (source or dist).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder and manifest of hexarch-guardrails, walking up from this file; undefined if none is found. */
function ownPackage(): { readonly root: string; readonly version: unknown } | undefined {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === "hexarch-guardrails") return { root: folder, version: manifest.version };
    } catch {
      // no readable package.json in this folder: keep walking up
    }
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/**
 * The `version` of hexarch-guardrails' package.json, found walking up from this file; "unknown" if none is found.
 * @example packageVersion() // "0.1.0"
 */
export function packageVersion(): string {
  const version = ownPackage()?.version;
  return typeof version === "string" ? version : "unknown";
}

/**
 * The folder hexarch-guardrails is installed in (the repository, when run from source); undefined if none is found.
 * @example join(packageRoot() ?? ".", "examples/server/hexarch_client.py")
 */
export function packageRoot(): string | undefined {
  return ownPackage()?.root;
}
