// What the server's HTML pages share: escaping, their headers (a strict Content-Security-Policy), and the form checks.
import { randomBytes } from "node:crypto";
import type { Ctx } from "./server-deps.js";

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text made safe for HTML content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** A fresh nonce for one page's style and script. */
function newNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * A page's headers. Its Content-Security-Policy lets run only its own style and script (by nonce), fetch only from
 * itself and post forms only to itself; no site may frame it.
 */
function pageHeaders(nonce: string): Record<string, string> {
  return {
    "Content-Type": "text/html; charset=utf-8",
    // The form's post then names its origin (under no-referrer, Chromium sends Origin: null), and a page's address
    // (an approval link's key) never leaves this server in a Referer.
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  };
}

/**
 * An HTML answer with the page headers, rendered with a fresh nonce.
 * @example return sendPage(c, 401, (nonce) => signInPage(nonce));
 */
export function sendPage(c: Ctx, status: 200 | 401 | 403 | 404 | 409, render: (nonce: string) => string): Response {
  const nonce = newNonce();
  return c.body(render(nonce), status, pageHeaders(nonce));
}

/**
 * True when a form post comes from this server's own page (no cross-site request forgery): its Origin names the Host
 * it was sent to, or, where a browser withholds the Origin (`null` under some referrer policies), it says the post is
 * same-origin in Sec-Fetch-Site, a header no page can set.
 */
export function sameOrigin(c: Ctx): boolean {
  const origin = c.req.header("origin");
  const host = c.req.header("host");
  if (origin === undefined || origin === "null") return c.req.header("sec-fetch-site") === "same-origin";
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** True when the request came over HTTPS (session cookies are then marked Secure). */
export function isHttps(c: Ctx): boolean {
  return new URL(c.req.url).protocol === "https:";
}

/** The fields of a posted form (urlencoded or multipart) that are strings of at most `max` characters; others are left out. */
export async function formFields(c: Ctx, max = 1000): Promise<Record<string, string>> {
  const form = (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(form)) if (typeof value === "string" && value.length <= max) fields[name] = value;
  return fields;
}
