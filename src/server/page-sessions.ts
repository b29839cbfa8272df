// Sign-in sessions of the budgets page: a signed cookie naming a key id, checked against the keys in force on every request.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Caller, KeyRing } from "./api-keys.js";

/** The session cookie's name. */
export const SESSION_COOKIE = "hexarch_view";
/** How long a sign-in lasts: 8 hours. */
export const SESSION_SECONDS = 8 * 3600;

/**
 * Opens and seals sessions with a secret of this server's own (drawn at start: a restart signs everyone out). A session
 * names only the key's id, never the key; the key must still be in force, with the `view` or `admin` scope, at each
 * request, so revoking it ends its sessions.
 * @example const sessions = new ViewSessions(); c.header("Set-Cookie", sessions.cookie(caller, Date.now(), secure));
 */
export class ViewSessions {
  readonly #secret = randomBytes(32);

  #mac(body: string): Buffer {
    return createHmac("sha256", this.#secret).update(body).digest();
  }

  /** The Set-Cookie value that signs `caller` in until SESSION_SECONDS from `now`. */
  cookie(caller: Caller, now: number, secure: boolean): string {
    const body = `${caller.id}.${now + SESSION_SECONDS * 1000}`;
    const value = `${body}.${this.#mac(body).toString("base64url")}`;
    return `${SESSION_COOKIE}=${value}; Path=/budgets; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
  }

  /** The Set-Cookie value that ends the session. */
  cleared(secure: boolean): string {
    return `${SESSION_COOKIE}=; Path=/budgets; Max-Age=0; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
  }

  /** The caller of a Cookie header's session, when it is well formed, signed here, not expired, and its key may view. */
  open(cookieHeader: string | undefined, keys: KeyRing, now: number): Caller | undefined {
    const value = sessionValue(cookieHeader);
    const parts = value?.split(".");
    if (parts?.length !== 3) return undefined;
    const [id, until, mac] = parts as [string, string, string];
    const expected = this.#mac(`${id}.${until}`);
    const given = Buffer.from(mac, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (!(Number(until) > now)) return undefined;
    const caller = keys.callerById(id);
    return caller !== undefined && mayView(caller) ? caller : undefined;
  }
}

/** True for a caller with the `view` or `admin` scope. */
export function mayView(caller: Caller): boolean {
  return caller.scopes.includes("view") || caller.scopes.includes("admin");
}

/** The value of the session cookie in a Cookie header (the first one, if a client sends it twice). */
function sessionValue(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === SESSION_COOKIE) return pair.slice(at + 1).trim();
  }
  return undefined;
}
