// An agent loop that retries a refused call with whatever the last answer gave it: tokens, ids, headers, body fields.
import type { ContractRequest, ContractResponse } from "../../contract/adapters/driver.js";

/** Sends one request and reads the answer. */
export type Send = (request: ContractRequest) => Promise<ContractResponse>;

/** What the agent saw over its retries. */
export interface AgentRun {
  readonly statuses: Readonly<Record<number, number>>;
  /** The last answer. */
  readonly last: ContractResponse;
}

/** Every string the answer carries that could pass for a credential: its confirm token, approval id, page URL. */
function harvest(answer: ContractResponse): Record<string, string> {
  const body = (answer.body ?? {}) as { confirm?: { token?: string }; approval?: { id?: string; url?: string } };
  const headers: Record<string, string> = {};
  const approval = answer.headers["hexarch-approval"] ?? body.approval?.id;
  if (approval !== undefined) headers["hexarch-approval"] = approval;
  if (body.confirm?.token !== undefined) headers["hexarch-confirm"] = body.confirm.token;
  // The page URL (and anything it carries) sent back too, as an agent pasting it would.
  if (body.approval?.url !== undefined) headers["x-approval-url"] = body.approval.url;
  return headers;
}

/**
 * Sends `request`, then retries it `times` times, each retry carrying every credential the previous answer held (its
 * `Hexarch-Confirm` token, its `Hexarch-Approval` id, the page URL) on the same method, path and body.
 * @example const run = await retryAgent(send, { method: "DELETE", path: "/tables/users", body: { reason: "cleanup" } }, 1000);
 */
export async function retryAgent(send: Send, request: ContractRequest, times: number): Promise<AgentRun> {
  const statuses: Record<number, number> = {};
  let last = await send(request);
  for (let i = 0; i < times; i++) {
    last = await send({ ...request, headers: { ...request.headers, ...harvest(last) } });
    statuses[last.status] = (statuses[last.status] ?? 0) + 1;
  }
  return { statuses, last };
}
