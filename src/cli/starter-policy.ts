// What `hexarch init` writes: a commented Quick Start policy file and golden cases that pass against it.

/**
 * Where the package ships the JSON Schema of hexarch.yaml, relative to a project root with the package installed.
 * @example `# yaml-language-server: $schema=${SCHEMA_PATH}`
 */
export const SCHEMA_PATH = "./node_modules/hexarch-guardrails/hexarch.schema.json";

/**
 * The starter hexarch.yaml: the Quick Start policies, each key explained once.
 * @example writeFileSync("hexarch.yaml", STARTER_POLICY)
 */
export const STARTER_POLICY = `# yaml-language-server: $schema=${SCHEMA_PATH}
# hexarch.yaml: the guardrails of this app. Check it with \`npx hexarch-guardrails validate\`,
# see what a request would get with \`npx hexarch-guardrails explain --method DELETE --path /items/7\`.

# strict refuses what a policy forbids; warn only reports what strict would refuse.
enforcement: strict

# How rate limits count: fixed_window (a counter per window; up to twice the limit can pass around a window's
# end), sliding_window (exact: never more than the limit in any minute, wherever calls fall) or token_bucket
# (refills the limit over the window; burst: N is how many may come at once). A rule may name its own.
algorithm: fixed_window

policies:
  # Spending: stop paid API calls once 10 (dollars, tokens, your unit) are spent this month.
  - id: "api_budget"
    description: "Protect against overspending"
    rules:
      - resource: "openai"          # only calls that name this resource
        monthly_budget: 10          # calendar month, UTC unless timezone: is set
        action: "warn_at_80%"       # warn from 80% spent, refuse at 100%

  # Abuse: each client gets 100 requests a minute, across every resource.
  - id: "rate_limit"
    description: "Prevent API abuse"
    rules:
      - resource: "*"
        requests_per_minute: 100    # per client address; key: user counts per user instead
        # algorithm: sliding_window # exact: never 101 in any 60 s, not even across a minute's end
        action: "block"             # answered 429 with Retry-After

  # Safety: a delete runs only after the caller confirms it.
  - id: "safe_delete"
    description: "Require confirmation for destructive ops"
    rules:
      - operation: "delete"         # DELETE requests, or calls tagged delete
        action: "require_confirmation"   # answered 428 until confirmed
`;

/**
 * The starter cases file for a policy file named `policyFile` (relative to it): golden cases for the starter
 * policies that pass as written, so `hexarch init && hexarch validate && hexarch test` exits 0.
 * @example writeFileSync("hexarch.test.yaml", starterCases("hexarch.yaml"))
 */
export function starterCases(policyFile: string): string {
  return `# ${policyFile.replace(/\.ya?ml$/, "")}.test.yaml: what the policies must answer. Run with \`npx hexarch-guardrails test\`;
# add a case for every rule you write, and keep them passing as the policies change.
policy: ${JSON.stringify(policyFile)}
cases:
  - name: "a delete waits for confirmation, and goes through once confirmed"
    at: "2026-01-05T10:00:00Z"          # the clock is frozen here, so results do not depend on the day
    requests:
      - { method: DELETE, path: /items/7, expect: { outcome: confirm, status: 428 } }
      - { method: DELETE, path: /items/7, confirm: true, expect: allow }

  - name: "the 101st request in a minute from one client is refused; another client is not"
    at: "2026-01-05T10:00:00Z"
    requests:
      - { method: GET, path: /items/7, repeat: 100, expect: allow }
      - { method: GET, path: /items/7, expect: { outcome: limit, status: 429 } }
      - { method: GET, path: /items/7, client: 203.0.113.9, expect: allow }
      - { name: "still refused 59.5 s later", method: GET, path: /items/7, after: 59.5s, expect: { outcome: limit } }
      - { name: "admitted once the first calls are a minute old", method: GET, path: /items/7, after: 60s, expect: allow }

  - name: "the openai budget warns from 80% and refuses past 10"
    at: "2026-01-05T10:00:00Z"
    state:
      - { policy: api_budget, used: 7.5 }   # start the month with 7.5 spent
    requests:
      - { method: POST, path: /chat, resource: openai, cost: 1, expect: { outcome: warn, reason: "budget at 85%" } }
      - { method: POST, path: /chat, resource: openai, cost: 2, expect: { outcome: limit, status: 429 } }
`;
}
