// The Hexarch-Signature header of a notification: an HMAC-SHA256 of "<unix seconds>.<body>", checked in constant time.
import { createHmac, timingSafeEqual } from "node:crypto";

/** The header a signed notification carries. */
export const SIGNATURE_HEADER = "Hexarch-Signature";

/** How old a signature may be before a receiver refuses it by default: 300 s. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The header value for `body` sent at `unixSeconds`: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
 * @example signatureHeader("secret…", '{"type":"approval.requested"}', 1765000000)
 */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * True when `header` signs exactly `body` with `secret` and is at most `toleranceSeconds` old at `nowSeconds` (and
 * not more than that in the future). What a receiver runs; README shows the same in Python.
 * @example verifySignature(secret, rawBody, req.headers["hexarch-signature"], Math.floor(Date.now() / 1000))
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string | undefined,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  if (header === undefined || header.length > 200) return false;
  const fields = new Map(header.split(",").map((part) => part.trim().split("=", 2) as [string, string]));
  const stamp = fields.get("t") ?? "";
  const mac = fields.get("v1") ?? "";
  if (!/^\d{1,12}$/.test(stamp) || !/^[0-9a-f]{64}$/.test(mac)) return false;
  const t = Number(stamp);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureHeader(secret, body, t).slice(`t=${t},v1=`.length), "hex");
  return timingSafeEqual(expected, Buffer.from(mac, "hex"));
}
