// What every serve bench sends: the dev token it authenticates with, and the decision request's body.

/** The dev token the bench servers require: every decision is authenticated. */
export const BENCH_TOKEN = "bench-token-0123456789abcdef0123456789";

/** The call every request decides: the Express bench's GET /items, as a decision request. */
export const BENCH_BODY = JSON.stringify({ context: { route: "/items", method: "GET", client: "203.0.113.9" } });
