// Loads an optional peer dependency (ioredis, pg) synchronously, resolving it the way the app would.
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

/**
 * The module `name` resolved from this package (CommonJS builds), from the app's entry script, then from
 * `cwd`; undefined when none of them can find it. Errors other than "not found" propagate.
 * @example const pg = loadOptionalPeer<typeof import("pg")>("pg", process.cwd());
 */
export function loadOptionalPeer<T>(name: string, cwd: string): T | undefined {
  const requirers: NodeJS.Require[] = [];
  // Only a CommonJS build has a real `require`; the ES module build has a bundler stub that throws when called.
  if (typeof module === "object" && typeof require === "function") requirers.push(require);
  const entry = process.argv[1];
  if (entry !== undefined && entry !== "") requirers.push(createRequire(resolve(entry)));
  requirers.push(createRequire(join(resolve(cwd), "package.json")));
  for (const load of requirers) {
    try {
      return load(name) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
    }
  }
  return undefined;
}
