// RFC 9457 problem+json answers for what the server refuses before deciding: bad requests, auth, limits, unknown paths.
import type { z } from "zod";

/** Prefix of every problem `type` URI the server writes. */
export const PROBLEM_TYPE_BASE = "urn:hexarch:problem:";

/** One field a request got wrong, by its dotted path (`context.cost`). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** An `application/problem+json` body. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly request_id?: string;
  readonly errors?: readonly FieldError[];
}

const TITLES: Readonly<Record<number, readonly [string, string]>> = {
  400: ["bad-request", "Bad request"],
  401: ["unauthorized", "Authentication required"],
  403: ["forbidden", "Not allowed for this key"],
  404: ["not-found", "Not found"],
  405: ["method-not-allowed", "Method not allowed"],
  409: ["conflict", "Conflict"],
  413: ["body-too-large", "Request body too large"],
  415: ["unsupported-media-type", "Unsupported media type"],
  429: ["rate-limited", "Too many requests"],
  500: ["internal-error", "Internal server error"],
  503: ["unavailable", "Service unavailable"],
};

/**
 * A problem body for `status`, its type and title fixed per status.
 * @example problem(413, "the body is 2000000 bytes; at most 1048576 are accepted")
 */
export function problem(
  status: number,
  detail: string,
  extra: { readonly errors?: readonly FieldError[]; readonly instance?: string } = {},
): Problem {
  const [name, title] = TITLES[status] ?? ["error", "Error"];
  return { type: `${PROBLEM_TYPE_BASE}${name}`, title, status, detail, ...extra };
}

/** A path as people write it: `context.facts.backup_verified`, `policy[1]`. */
function dotted(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out === "" ? "(body)" : out;
}

/**
 * Every problem zod found, each naming its path; an unknown field is named by its own path.
 * @example fieldErrors(schema.safeParse(body).error) // [{ path: "context.colour", message: "unknown field" }]
 */
export function fieldErrors(error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: dotted([...issue.path, key]), message: "unknown field" });
    } else out.push({ path: dotted(issue.path), message: issue.message });
  }
  return out;
}
