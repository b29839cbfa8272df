// GET /floor: the handler's response with the two RateLimit fields a guard adds, set by hand (no policies, no counter).
import { items } from "../items.js";

export function GET() {
  const response = items();
  response.headers.set("RateLimit-Policy", '"rate_limit";q=1000000000;w=60');
  response.headers.set("RateLimit", `"rate_limit";r=999999999;t=${60 - (Math.floor(Date.now() / 1000) % 60)}`);
  return response;
}
