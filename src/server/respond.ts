// Writing answers: problem+json with the request id, and reading a JSON body validated by a zod schema.
import type { z } from "zod";
import { fieldErrors, problem, type FieldError } from "./problem.js";
import type { Ctx } from "./server-deps.js";

/**
 * Answers with a problem body of `status` (`application/problem+json`).
 * @example return sendProblem(c, 404, "no decision with this id");
 */
export function sendProblem(
  c: Ctx,
  status: number,
  detail: string,
  errors?: readonly FieldError[],
  headers: Record<string, string> = {},
): Response {
  const body = problem(status, detail, { instance: c.req.path, ...(errors === undefined ? {} : { errors }) });
  return c.body(JSON.stringify({ ...body, request_id: c.get("requestId") }), status as 400, {
    ...headers,
    "Content-Type": "application/problem+json",
  });
}

/** A body that passed its schema, or the answer that refuses it. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly response: Response };

/**
 * Reads the request's JSON body and validates it: a body that is not JSON, not sent as JSON, or not of the schema's
 * shape is answered 415 or 400 naming every wrong field by its path. `quick` may vouch for a body without the schema
 * (it returns the schema's value for it, else undefined).
 * @example const parsed = await readBody(c, SettleRequestSchema); if (!parsed.ok) return parsed.response;
 */
export async function readBody<S extends z.ZodType>(
  c: Ctx,
  schema: S,
  quick?: (raw: unknown) => z.output<S> | undefined,
): Promise<Parsed<z.output<S>>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type))
    return { ok: false, response: sendProblem(c, 415, "send the body as JSON with Content-Type: application/json") };
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch (error) {
    return { ok: false, response: sendProblem(c, 400, `the body is not JSON: ${(error as Error).message}`) };
  }
  const vouched = quick?.(raw);
  if (vouched !== undefined) return { ok: true, value: vouched };
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const errors = fieldErrors(result.error);
  return {
    ok: false,
    response: sendProblem(c, 400, `the body does not fit the schema: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`, errors),
  };
}
