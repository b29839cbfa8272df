// GET /bare: the route handler alone.
import { items } from "../items.js";

export const GET = items;
