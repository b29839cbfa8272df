// GET /guarded: the same handler wrapped by withHexarch with every policy of hexarch.yaml, from the built package.
import { withHexarch } from "../../../../dist/next.js";
import { items } from "../items.js";

export const GET = withHexarch(items);
