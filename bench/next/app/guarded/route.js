// GET /guarded: the same handler wrapped by withHexarch with every policy of hexarch.yaml, from the package as run.ts built it.
import { withHexarch } from "../../../../.tmp/bench-dist/next.js";
import { items } from "../items.js";

export const GET = withHexarch(items);
