// GET /users: every policy whose rules match applies, here the 100-per-minute rate limit.
import { withHexarch } from "hexarch-guardrails/next";
import { users } from "../../lib/users.js";

export const GET = withHexarch(async () => Response.json([...users.values()]));
