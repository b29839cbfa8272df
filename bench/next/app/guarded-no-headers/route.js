// GET /guarded-no-headers: /guarded without the RateLimit fields (headers: false), to tell the decision's cost from theirs.
import { withHexarch } from "../../../../.tmp/bench-dist/next.js";
import { items } from "../items.js";

export const GET = withHexarch(items, { headers: false });
