// Reads a Web Response the way the HTTP contract compares answers: status, lower-case headers, JSON or text body.
import type { ContractRequest, ContractResponse } from "./driver.js";

/** The contract's view of a Fetch `Response`. */
export async function toContract(response: Response): Promise<ContractResponse> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const text = await response.text();
  const body: unknown = /json/.test(headers["content-type"] ?? "") && text !== "" ? JSON.parse(text) : text;
  return { status: response.status, headers, body };
}

/** The Web `Request` for a contract request, its body sent as JSON. */
export function toRequest({ method, path, headers, body }: ContractRequest): Request {
  const init: RequestInit = { method, headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) } };
  if (body !== undefined) init.body = JSON.stringify(body);
  return new Request(`http://localhost${path}`, init);
}
