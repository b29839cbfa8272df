// Finds the policy file to use: explicit option, then HEXARCH_POLICY_FILE, then hexarch.yaml/.yml up the folder tree.
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PolicyConfigError } from "../../errors/config-error.js";

/** File names looked for in each folder, in order. */
export const POLICY_FILE_NAMES = ["hexarch.yaml", "hexarch.yml"] as const;

/** Where to look for the policy file. */
export interface DiscoverOptions {
  /** An explicit path; wins over everything else. Relative paths resolve against `cwd`. */
  readonly policyFile?: string;
  /** The folder to start the upward search from; defaults to `process.cwd()`. */
  readonly cwd?: string;
  /** Environment to read `HEXARCH_POLICY_FILE` from; defaults to `process.env`. */
  readonly env?: Record<string, string | undefined>;
  /** How `policyFile` was given, named when there is no file there. Default: `the policyFile option`. */
  readonly givenBy?: string;
}

const INIT_FIX = "create one with `npx hexarch-guardrails init`, or pass `policyFile` / set HEXARCH_POLICY_FILE";

/** Whether `path` exists and is a regular file (not a folder). */
function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Resolves a path given by the user and fails with a named problem when there is no file there. */
function requireGiven(given: string, cwd: string, source: string): string {
  const path = resolve(cwd, given);
  if (isFile(path)) return path;
  const what = existsSync(path) ? "is not a file" : "does not exist";
  throw new PolicyConfigError([
    { file: given, path: "", message: `the policy file ${path} given by ${source} ${what}`, fix: `check the path, or ${INIT_FIX}` },
  ]);
}

/**
 * Returns the absolute path of the policy file to load.
 * Order: `policyFile` → `env.HEXARCH_POLICY_FILE` → `hexarch.yaml` then `hexarch.yml` in `cwd` and each parent folder.
 * Throws PolicyConfigError naming the missing path, or listing every folder searched.
 * @example discoverPolicyFile({ cwd: "/app/src" }) // "/app/hexarch.yaml"
 */
export function discoverPolicyFile(options: DiscoverOptions = {}): string {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  if (options.policyFile !== undefined && options.policyFile !== "")
    return requireGiven(options.policyFile, cwd, options.givenBy ?? "the policyFile option");
  const fromEnv = env["HEXARCH_POLICY_FILE"];
  if (fromEnv !== undefined && fromEnv !== "") return requireGiven(fromEnv, cwd, "HEXARCH_POLICY_FILE");
  const searched: string[] = [];
  let folder = cwd;
  for (;;) {
    searched.push(folder);
    for (const name of POLICY_FILE_NAMES) {
      const candidate = join(folder, name);
      if (isFile(candidate)) return candidate;
    }
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  throw new PolicyConfigError(
    [
      {
        file: POLICY_FILE_NAMES[0],
        path: "",
        message: `no ${POLICY_FILE_NAMES.join(" or ")} found; searched:\n${searched.map((f) => `      ${f}`).join("\n")}`,
        fix: INIT_FIX,
      },
    ],
    "no policy file found",
  );
}
