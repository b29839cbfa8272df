// The fix offered when an adapter is given an express-rate-limit option: where that setting lives in hexarch.

const README_SECTION = 'README, "Coming from express-rate-limit"';
const IN_POLICY_FILE = "limits live in hexarch.yaml, not in options: write a rule such as `requests_per_minute: 100`";

/** express-rate-limit (v8) option names that hexarch's adapters do not take, each with hexarch's way to say it. */
const HEXARCH_EQUIVALENT: Readonly<Record<string, string>> = {
  windowMs: `${IN_POLICY_FILE} (requests_per_second|minute|hour|day pick the window)`,
  limit: IN_POLICY_FILE,
  max: IN_POLICY_FILE,
  identifier: "the policy id in hexarch.yaml names the quota in the RateLimit headers",
  message: "give onDenied to answer refusals yourself (the default is an RFC 9457 problem body)",
  statusCode: "give onDenied to answer refusals yourself (a limit is answered 429)",
  handler: "use onDenied: ({ decision, answer, req, res, next }) => …",
  retryAfter: "Retry-After comes from the rule that refused; set it yourself in onDenied",
  standardHeaders: "use headers: { standard: true } (the default)",
  legacyHeaders: "use headers: { legacy: true } for X-RateLimit-* (off by default)",
  keyGenerator: "use clientKey: (req) => string, or key: user | api_key | route | global in the rule",
  ipv6Subnet: "use ipv6Prefix (default 64)",
  requestPropertyName: "the decisions are on res.locals.hexarch (ctx.state.hexarch in Koa)",
  skipFailedRequests: "a call hexarch refuses consumes nothing; counting by the response's status is not offered",
  skipSuccessfulRequests: "counting by the response's status is not offered; a call hexarch refuses consumes nothing",
  requestWasSuccessful: "counting by the response's status is not offered",
  passOnStoreError: "write fail: open on the policy in hexarch.yaml (fail: closed, the default, answers 503)",
  validate: "options and the policy file are always validated once, at start-up",
};

/**
 * The fix for an unknown option that is an express-rate-limit option, pointing to hexarch's equivalent and the
 * README section that maps them; undefined for any other name.
 * @example rateLimitOptionFix("windowMs") // 'limits live in hexarch.yaml, … (README, "Coming from express-rate-limit")'
 */
export function rateLimitOptionFix(name: string): string | undefined {
  const equivalent = Object.hasOwn(HEXARCH_EQUIVALENT, name) ? HEXARCH_EQUIVALENT[name] : undefined;
  return equivalent === undefined ? undefined : `${equivalent} (${README_SECTION})`;
}
