// Where the confirmation-token secret comes from: the option, HEXARCH_SECRET, or one random secret per process.
import { randomBytes } from "node:crypto";
import { PolicyConfigError } from "../../errors/config-error.js";
import { configWarning, type Logger } from "../../errors/warnings.js";

/** Shortest secret accepted, in characters or bytes. */
export const MIN_SECRET_LENGTH = 16;

/** The fix offered for a secret shorter than MIN_SECRET_LENGTH, whether it came from the option or HEXARCH_SECRET. */
export const SHORT_SECRET_FIX = `use at least ${MIN_SECRET_LENGTH} random characters (32 bytes from a CSPRNG, base64)`;

let processSecret: Buffer | undefined;

/**
 * The secret option or `HEXARCH_SECRET`, or undefined when neither is set. A `HEXARCH_SECRET` shorter than
 * MIN_SECRET_LENGTH throws PolicyConfigError at start-up, as the option does when it is validated.
 */
export function configuredSecret(option: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (option !== undefined) return option;
  const fromEnv = env["HEXARCH_SECRET"];
  if (fromEnv === undefined || fromEnv === "") return undefined;
  if (fromEnv.length < MIN_SECRET_LENGTH) {
    throw new PolicyConfigError([
      {
        file: "<environment>",
        path: "HEXARCH_SECRET",
        message: `the secret is ${fromEnv.length} characters long`,
        fix: SHORT_SECRET_FIX,
      },
    ]);
  }
  return fromEnv;
}

/**
 * A random secret shared by every guard in this process, with a one-time warning: tokens signed with it do
 * not survive a restart and are not accepted by other instances.
 */
export function processConfirmSecret(logger: Logger): Buffer {
  configWarning(
    logger,
    "HEXARCH_EPHEMERAL_SECRET",
    "no confirmation secret (option `secret` or HEXARCH_SECRET): using a random per-process secret, so confirmation tokens will not work across instances or restarts",
  );
  return (processSecret ??= randomBytes(32));
}
