// GET /health: whether the server decides with the file on disk, and whether its store and log work.
import type { ServerDeps } from "./server-deps.js";

/** The health body. */
export interface Health {
  readonly status: "ok" | "degraded";
  readonly policy_file: string;
  readonly policy_digest: string;
  readonly loaded_at: string;
  readonly store: { readonly name: string; readonly ok: boolean };
  readonly log: { readonly enabled: boolean; readonly ok: boolean };
  readonly problems: readonly string[];
}

/**
 * The server's health: degraded while a reload was refused, the store does not answer or the log's sink fails.
 * @example (await healthOf(deps)).status // "ok"
 */
export async function healthOf(deps: ServerDeps): Promise<Health> {
  const { runtime, log } = deps;
  const problems = [...runtime.problems];
  let storeOk = true;
  try {
    await deps.store.peek("hexarch:health");
  } catch (error) {
    storeOk = false;
    problems.push(`the counter store (${deps.store.name}) does not answer: ${(error as Error).message}`);
  }
  const logOk = log === undefined || log.accepting();
  if (!logOk) problems.push("the decision log cannot be written; records are buffered");
  return {
    status: problems.length === 0 ? "ok" : "degraded",
    policy_file: runtime.path,
    policy_digest: runtime.current.digest,
    loaded_at: new Date(runtime.current.loadedAt).toISOString(),
    store: { name: deps.store.name, ok: storeOk },
    log: { enabled: log !== undefined, ok: logOk },
    problems,
  };
}
