// Writes out the decision logs still open when the process runs out of work, so an app that never calls close() loses nothing.

/** What is closed before exit: a DecisionLog. */
interface Closable {
  close(): Promise<void>;
}

const open = new Set<Closable>();

/** Node emits beforeExit when the event loop is empty; the closes it starts keep the process alive until they are done. */
function closeOpenLogs(): void {
  for (const log of open) void log.close();
}

/**
 * Closes `log` when the process runs out of work (`beforeExit`: the app ended on its own), unless it was closed before;
 * returns the function that takes it off the list, for `close()`. One listener serves every log. It never listens for
 * signals and never ends the process: on SIGTERM or SIGINT, the app that handles the signal closes its guardian, and an
 * app that does not is ended by node at once, like a crash (at most the last 100 ms of records are lost).
 * @example const forget = closeBeforeExit(log); …; forget();
 */
export function closeBeforeExit(log: Closable): () => void {
  if (open.size === 0) process.on("beforeExit", closeOpenLogs);
  open.add(log);
  return () => {
    if (open.delete(log) && open.size === 0) process.off("beforeExit", closeOpenLogs);
  };
}
