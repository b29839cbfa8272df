// The CLI's exit codes and the error that carries a usage mistake to the top.

/**
 * Exit codes of every `hexarch` command (documented in the README).
 * - `OK` 0: done; the policy is valid, every case passed.
 * - `FAILED` 1: the policy file is invalid or missing, a golden case failed, or `init` would overwrite.
 * - `USAGE` 2: the command line is wrong, or a case file is broken.
 * @example process.exitCode = EXIT.FAILED
 */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A mistake in how the command was called, reported on stderr with exit code 2.
 * @example throw new UsageError('--at needs an offset, e.g. "2026-11-27T16:30:00-05:00"')
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
