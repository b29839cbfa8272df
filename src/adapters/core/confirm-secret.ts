// Where the confirmation-token secret comes from: the option, HEXARCH_SECRET, or one random secret per process.
import { randomBytes } from "node:crypto";
import { configWarning, type Logger } from "../../engine/logger.js";

/** Shortest secret accepted, in characters or bytes. */
export const MIN_SECRET_LENGTH = 16;

let processSecret: Buffer | undefined;

/** The secret option or `HEXARCH_SECRET`, or undefined when neither is set. */
export function configuredSecret(option: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (option !== undefined) return option;
  const fromEnv = env["HEXARCH_SECRET"];
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
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
