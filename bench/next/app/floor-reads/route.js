// GET /floor-reads: the floor, plus what any guard offering confirmation must read and respect: the request's
// headers (for `Hexarch-Confirm`) and, before writing a field, whether the handler's response set it already.
import { items } from "../items.js";

const FIELDS = { "ratelimit-policy": '"rate_limit";q=1000000000;w=60', ratelimit: "" };

export function GET(request) {
  if (request.headers.get("hexarch-confirm") !== null) return new Response(null, { status: 400 });
  const response = items();
  FIELDS.ratelimit = `"rate_limit";r=999999999;t=${60 - (Math.floor(Date.now() / 1000) % 60)}`;
  for (const name in FIELDS) if (!response.headers.has(name)) response.headers.set(name, FIELDS[name]);
  return response;
}
