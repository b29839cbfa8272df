// Sign-in sessions of the server's pages: a signed cookie naming a key id, checked against the keys in force on every request.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Caller, KeyRing } from "./api-keys.js";

/** How long a sign-in lasts: 8 hours. */
export const SESSION_SECONDS = 8 * 3600;

/** Which page a session is for: its cookie, the path the cookie is sent to, and which keys may sign in. */
export interface SessionKind {
  readonly cookie: string;
  readonly path: string;
  readonly may: (caller: Caller) => boolean;
}

/** The budgets page: `view` or `admin` keys. */
export const BUDGETS_SESSION: SessionKind = { cookie: "hexarch_view", path: "/budgets", may: mayView };
/** The approval pages: `approve` or `admin` keys. */
export const APPROVALS_SESSION: SessionKind = { cookie: "hexarch_approve", path: "/approvals", may: mayApprove };

/**
 * Opens and seals sessions with a secret of this server's own (drawn at start: a restart signs everyone out). A session
 * names only the key's id, never the key; the key must still be in force, with the kind's scope, at each request, so
 * revoking it ends its sessions. The cookie is HttpOnly and SameSite=Strict, sent only under the kind's path.
 * @example const sessions = new PageSessions(BUDGETS_SESSION); c.header("Set-Cookie", sessions.cookie(caller, Date.now(), secure));
 */
export class PageSessions {
  readonly #secret = randomBytes(32);
  readonly #kind: SessionKind;

  constructor(kind: SessionKind) {
    this.#kind = kind;
  }

  #mac(body: string): Buffer {
    // The cookie's name is in what is signed: a budgets session is no approvals session.
    return createHmac("sha256", this.#secret).update(`${this.#kind.cookie}.${body}`).digest();
  }

  #attributes(maxAge: number, secure: boolean): string {
    return `Path=${this.#kind.path}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
  }

  /** True when `caller` may sign in to this kind of page. */
  may(caller: Caller): boolean {
    return this.#kind.may(caller);
  }

  /** The Set-Cookie value that signs `caller` in until SESSION_SECONDS from `now`. */
  cookie(caller: Caller, now: number, secure: boolean): string {
    const body = `${caller.id}.${now + SESSION_SECONDS * 1000}`;
    return `${this.#kind.cookie}=${body}.${this.#mac(body).toString("base64url")}; ${this.#attributes(SESSION_SECONDS, secure)}`;
  }

  /** The Set-Cookie value that ends the session. */
  cleared(secure: boolean): string {
    return `${this.#kind.cookie}=; ${this.#attributes(0, secure)}`;
  }

  /** The caller of a Cookie header's session, when it is well formed, signed here, not expired, and its key may sign in. */
  open(cookieHeader: string | undefined, keys: KeyRing, now: number): Caller | undefined {
    const parts = cookieValue(cookieHeader, this.#kind.cookie)?.split(".");
    if (parts?.length !== 3) return undefined;
    const [id, until, mac] = parts as [string, string, string];
    const expected = this.#mac(`${id}.${until}`);
    const given = Buffer.from(mac, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (!(Number(until) > now)) return undefined;
    const caller = keys.callerById(id);
    return caller !== undefined && this.#kind.may(caller) ? caller : undefined;
  }
}

/** True for a caller with the `view` or `admin` scope. */
export function mayView(caller: Caller): boolean {
  return caller.scopes.includes("view") || caller.scopes.includes("admin");
}

/** True for a caller with the `approve` or `admin` scope, other than the dev token (an app's token never approves). */
export function mayApprove(caller: Caller): boolean {
  return caller.id !== "dev-token" && (caller.scopes.includes("approve") || caller.scopes.includes("admin"));
}

/** The value of the cookie `name` in a Cookie header (the first one, if a client sends it twice). */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}
