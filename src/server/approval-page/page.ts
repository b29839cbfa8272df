// The approval page as plain HTML (no script): what is asked, and a person's Approve and Deny forms; its sign-in form.
import type { ApprovalDetails } from "../../guardian/approvals/guardian-approvals.js";
import { escapeHtml } from "../html.js";

/** How the person reached the page: signed in with a key, or through the notification's link (its key rides in the forms). */
export type PageAccess = { readonly signedInAs: string } | { readonly linkKey: string };

const STYLE = `
body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;padding:1rem;max-width:40rem;color:#1d2330}
h1{font-size:1.35rem;margin:.2rem 0 1rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem .9rem;margin:0 0 1.2rem}
dt{color:#6b7383}dd{margin:0;overflow-wrap:anywhere}code{font-size:.95em}
.status{display:inline-block;padding:.1rem .55rem;border-radius:1rem;font-size:.9rem;background:#eef1f5}
.pending{background:#fdf0d5}.approved,.used{background:#dcf2e1}.denied{background:#f8dcdc}.expired{background:#e6e8ec}
form{display:flex;flex-direction:column;gap:.5rem;margin:0 0 1.2rem}label{display:flex;flex-direction:column;gap:.2rem}
input,textarea{font:inherit;padding:.55rem;border:1px solid #b9c0cc;border-radius:.4rem}
button{font:inherit;font-weight:600;padding:.75rem;border:0;border-radius:.4rem;color:#fff;background:#3c6fd6;cursor:pointer}
button.approve{background:#2d8a4e}button.deny{background:#c23b3b}button.quiet{background:#eef1f5;color:#1d2330;font-weight:400}
.muted{color:#6b7383}[role=alert]{padding:.6rem;border-radius:.4rem;background:#f8dcdc}.done{padding:.6rem;border-radius:.4rem;background:#eef1f5}`;

/** The page's frame: head, style and title. */
function frame(nonce: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head>
<body>${body}</body></html>`;
}

/** One row of the facts list, left out when there is nothing to show. */
function row(term: string, value: string | undefined): string {
  return value === undefined || value === "" ? "" : `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`;
}

/** What the call would do: `DELETE /tables/users`, or `delete on users`. */
function whatIsAsked(approval: ApprovalDetails): string {
  const { method, path, operation, resource } = approval.subject;
  if (method !== undefined || path !== undefined) return [method, path].filter((part) => part !== undefined).join(" ");
  return [operation, resource === undefined ? undefined : `on ${resource}`].filter((part) => part !== undefined).join(" ");
}

/** What the request is and where it stands. */
function details(approval: ApprovalDetails): string {
  const { subject } = approval;
  const facts = Object.entries(subject.facts ?? {}).map(([name, value]) => row(name, value === null ? "null" : String(value)));
  return `<dl>${[
    row("Policy", approval.policy),
    row("Call", whatIsAsked(approval)),
    row("Why it waits", subject.reason),
    row("Client", subject.client),
    row("User", subject.user),
    row("Environment", subject.environment),
    row("Asked at", approval.created_at),
    row("Expires at", approval.expires_at),
    row("Decided by", approval.decided_by),
    row("Reason", approval.reason),
    ...facts,
  ].join("")}</dl>`;
}

/** The hidden field that carries the link key, for a person who came through the link. */
function linkField(access: PageAccess): string {
  return "linkKey" in access ? `<input type="hidden" name="key" value="${escapeHtml(access.linkKey)}">` : "";
}

/** The name field: required through the link (the log must say who), optional when signed in (the key names the person). */
function nameField(access: PageAccess): string {
  const required = "linkKey" in access;
  return `<label>Your name${required ? "" : ' <span class="muted">(optional: the key is recorded)</span>'} <input name="by" maxlength="200" autocomplete="name"${required ? " required" : ""}></label>`;
}

/** The Approve and Deny forms of a pending request. */
function decisionForms(approval: ApprovalDetails, access: PageAccess): string {
  const action = (verb: string) => `/approvals/${encodeURIComponent(approval.id)}/${verb}`;
  return `<form method="post" action="${action("approve")}">${linkField(access)}${nameField(access)}<button class="approve">Approve</button></form>
<form method="post" action="${action("deny")}">${linkField(access)}${nameField(access)}<label>Why not <textarea name="reason" rows="2" maxlength="500" required></textarea></label><button class="deny">Deny</button></form>`;
}

/** What a decided request tells the person. */
function outcome(approval: ApprovalDetails): string {
  const said: Record<string, string> = {
    approved: "Approved: the caller's next retry with this approval goes through, once.",
    used: "Approved, and the call went through.",
    denied: "Denied: the caller's retries are refused (403).",
    expired: "Expired before anyone decided: the caller must ask again.",
  };
  return `<p class="done">${escapeHtml(said[approval.status] ?? approval.status)}</p>`;
}

/**
 * The page of one request: its facts, then the forms while it is pending, else its outcome; `notice` (a problem or a
 * confirmation of what was just done) on top.
 */
export function approvalPage(approval: ApprovalDetails, access: PageAccess, nonce: string, notice?: string): string {
  const signedIn =
    "signedInAs" in access
      ? `<form method="post" action="/approvals/sign-out"><span class="muted">Signed in as ${escapeHtml(access.signedInAs)}</span><button class="quiet">Sign out</button></form>`
      : "";
  const top = notice === undefined ? "" : `<p role="alert">${escapeHtml(notice)}</p>`;
  const body = `<h1>Approval request <span class="status ${escapeHtml(approval.status)}">${escapeHtml(approval.status)}</span></h1>${top}
${details(approval)}${approval.status === "pending" ? decisionForms(approval, access) : outcome(approval)}${signedIn}`;
  return frame(nonce, `hexarch approval: ${whatIsAsked(approval)}`, body);
}

/** The sign-in form: one password field for an API key with the `approve` or `admin` scope; it returns to `id`'s page. */
export function approvalSignInPage(nonce: string, id: string, problem?: string): string {
  const said = problem === undefined ? "" : `<p role="alert">${escapeHtml(problem)}</p>`;
  return frame(
    nonce,
    "hexarch approval: sign in",
    `<h1>Approval request</h1>${said}<p class="muted">Sign in with an API key of scope approve (or admin), or open the link sent to the notification targets.</p>
<form method="post" action="/approvals/sign-in"><input type="hidden" name="id" value="${escapeHtml(id)}">
<label>API key <input type="password" name="key" autocomplete="current-password" required></label><button>Sign in</button></form>`,
  );
}

/** A page that only says one thing: an unknown request, a post from elsewhere, a sign-out. */
export function approvalNoticePage(nonce: string, notice: string): string {
  return frame(nonce, "hexarch approval", `<h1>Approval request</h1><p role="alert">${escapeHtml(notice)}</p>`);
}
