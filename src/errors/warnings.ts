// The logger shape hexarch writes to (pino-compatible), and one-time configuration warnings.

/** Any pino-shaped logger: `info`, `warn` and `error` taking an object and a message. */
export interface Logger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

/** The default: writes nothing. Configuration warnings still reach `process` warnings once. */
export const SILENT_LOGGER: Logger = Object.freeze({ info() {}, warn() {}, error() {} });

/** The code+message pairs each logger was already warned with (the silent logger's set stands for the process). */
const warnedByLogger = new WeakMap<Logger, Set<string>>();

/**
 * Emits a configuration warning once per logger and code+message: to the app's logger when one was given,
 * else once per process as a Node process warning (`node --no-warnings` silences it).
 */
export function configWarning(logger: Logger, code: string, message: string): void {
  const id = `${code}\u0000${message}`;
  let warned = warnedByLogger.get(logger);
  if (warned === undefined) warnedByLogger.set(logger, (warned = new Set()));
  if (warned.has(id)) return;
  warned.add(id);
  if (logger === SILENT_LOGGER) process.emitWarning(message, { code, type: "HexarchWarning" });
  else logger.warn({ code }, `hexarch: ${message}`);
}
