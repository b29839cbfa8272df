// What `hexarch init` writes (a commented Quick Start policy file) and the lines it suggests for an Express app.

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
# hexarch.yaml: the guardrails of this app. Check it with \`npx hexarch validate\`,
# see what a request would get with \`npx hexarch explain --method DELETE --path /users/7\`.

# strict refuses what a policy forbids; warn only reports what strict would refuse.
enforcement: strict

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
        action: "block"             # answered 429 with Retry-After

  # Safety: a delete runs only after the caller confirms it.
  - id: "safe_delete"
    description: "Require confirmation for destructive ops"
    rules:
      - operation: "delete"         # DELETE requests, or calls tagged delete
        action: "require_confirmation"   # answered 428 until confirmed
`;

/**
 * The three lines that put the starter policies in front of an Express app.
 * @example EXPRESS_LINES.forEach((line) => console.log(line))
 */
export const EXPRESS_LINES = [
  'import { hexarch, guard } from "hexarch-guardrails/express";',
  "app.use(hexarch());                                      // every policy that matches a request",
  'app.delete("/users/:id", guard("safe_delete"), deleteUser); // one policy on one route',
] as const;
