// The budgets page as plain HTML: each budget and key as a bar, with a small script that refreshes it from /budgets/data.
import type { BudgetRow } from "../../engine/budget-rows.js";
import { escapeHtml } from "../html.js";

/** What the page and its JSON endpoint show: the budgets, when they were read, and the recent refusals. */
export interface BudgetsView {
  readonly at: string;
  readonly budgets: readonly (BudgetRow & { readonly resetsLocal: string })[];
  /** Budget refusals from the decision log, newest first; null when the server keeps no log. */
  readonly refusals: readonly { readonly time: string; readonly policy: string; readonly key: string; readonly reason: string }[] | null;
}

/** An amount as `hexarch budgets` prints it: up to six decimals, no trailing zeros. */
function amount(value: number): string {
  return String(Number(value.toFixed(6)));
}

/** Percent of the limit, clamped to the bar. */
function share(value: number, limit: number): number {
  return limit > 0 ? Math.min(Math.max((value / limit) * 100, 0), 100) : 0;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1d2330}
h1{font-size:1.3rem}table{border-collapse:collapse;width:100%}th,td{padding:.35rem .6rem;border-bottom:1px solid #e3e6ec;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}svg.bar{width:16rem;height:.9rem;background:#eef1f5}
rect.spent{fill:#3c6fd6}rect.reserved{fill:#9db8ee}line.warn{stroke:#d9822b;stroke-width:1.2}
.over rect.spent{fill:#c23b3b}.muted{color:#6b7383}form{display:flex;gap:.5rem}`;

/** One budget row's cells; the script builds the same cells from JSON. */
function rowHtml(row: BudgetsView["budgets"][number]): string {
  const spent = share(row.spent, row.limit);
  const reserved = Math.min(share(row.reserved, row.limit), 100 - spent);
  const warn = row.warnAt === null ? "" : `<line class="warn" x1="${row.warnAt * 100}" x2="${row.warnAt * 100}" y1="0" y2="10"/>`;
  const cells = [
    `<td>${escapeHtml(row.policy)} #${row.rule} · ${row.window} ${escapeHtml(row.period)}</td>`,
    `<td class="key">${escapeHtml(row.key)}</td>`,
    `<td><svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="${amount(spent + reserved)}% used">` +
      `<rect class="spent" x="0" y="0" height="10" width="${spent}"/><rect class="reserved" x="${spent}" y="0" height="10" width="${reserved}"/>${warn}</svg></td>`,
    `<td class="num spent">${amount(row.spent)}</td>`,
    `<td class="num reserved">${amount(row.reserved)}</td>`,
    `<td class="num limit">${amount(row.limit)}</td>`,
    `<td class="num burn">${amount(row.burnPerDay)}/day</td>`,
    `<td class="num projected">${amount(row.projected)}</td>`,
    `<td class="resets">${escapeHtml(row.resetsLocal)}</td>`,
  ];
  const over = row.spent + row.reserved >= row.limit ? ' class="over"' : "";
  return `<tr${over}>${cells.join("")}</tr>`;
}

function refusalsHtml(refusals: BudgetsView["refusals"]): string {
  if (refusals === null)
    return '<p class="muted">Recent refusals come from the decision log: add a logging: section to the policy file.</p>';
  if (refusals.length === 0) return '<p class="muted">No budget refused a call in the last day.</p>';
  const items = refusals.map(
    (r) => `<li><time>${escapeHtml(r.time)}</time> ${escapeHtml(r.policy)} · ${escapeHtml(r.key)}: ${escapeHtml(r.reason)}</li>`,
  );
  return `<ul>${items.join("")}</ul>`;
}

/** The script: every 5 s, reads /budgets/data and rebuilds the rows with DOM calls only (text is never parsed as HTML). */
const SCRIPT = `
const amount = (v) => String(Number(v.toFixed(6)));
const share = (v, l) => (l > 0 ? Math.min(Math.max((v / l) * 100, 0), 100) : 0);
const svgNs = "http://www.w3.org/2000/svg";
function cell(text, cls) { const td = document.createElement("td"); if (cls) td.className = cls; td.textContent = text; return td; }
function rect(cls, x, w) { const r = document.createElementNS(svgNs, "rect"); r.setAttribute("class", cls); for (const [k, v] of [["x", x], ["y", 0], ["height", 10], ["width", w]]) r.setAttribute(k, String(v)); return r; }
function row(b) {
  const tr = document.createElement("tr");
  if (b.spent + b.reserved >= b.limit) tr.className = "over";
  const spent = share(b.spent, b.limit), reserved = Math.min(share(b.reserved, b.limit), 100 - spent);
  const svg = document.createElementNS(svgNs, "svg");
  for (const [k, v] of [["class", "bar"], ["viewBox", "0 0 100 10"], ["preserveAspectRatio", "none"], ["role", "img"], ["aria-label", amount(spent + reserved) + "% used"]]) svg.setAttribute(k, v);
  svg.append(rect("spent", 0, spent), rect("reserved", spent, reserved));
  if (b.warnAt !== null) { const l = document.createElementNS(svgNs, "line"); for (const [k, v] of [["class", "warn"], ["x1", b.warnAt * 100], ["x2", b.warnAt * 100], ["y1", 0], ["y2", 10]]) l.setAttribute(k, String(v)); svg.append(l); }
  const bar = document.createElement("td"); bar.append(svg);
  tr.append(cell(b.policy + " #" + b.rule + " · " + b.window + " " + b.period), cell(b.key, "key"), bar,
    cell(amount(b.spent), "num spent"), cell(amount(b.reserved), "num reserved"), cell(amount(b.limit), "num limit"),
    cell(amount(b.burnPerDay) + "/day", "num burn"), cell(amount(b.projected), "num projected"), cell(b.resetsLocal, "resets"));
  return tr;
}
async function refresh() {
  try {
    const response = await fetch("/budgets/data", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) { document.getElementById("status").textContent = "refresh failed: " + response.status; return; }
    const view = await response.json();
    document.getElementById("rows").replaceChildren(...view.budgets.map(row));
    document.getElementById("at").textContent = view.at;
    document.getElementById("status").textContent = "";
  } catch (error) { document.getElementById("status").textContent = "refresh failed"; }
}
setInterval(refresh, 5000);
`;

/** The whole page; `nonce` lets its one style and one script run under the page's Content-Security-Policy. */
export function budgetsPage(view: BudgetsView, nonce: string): string {
  const rows = view.budgets.map(rowHtml).join("");
  const empty = view.budgets.length === 0 ? '<p class="muted">Nothing spent or reserved on any budget this period.</p>' : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>hexarch budgets</title><style nonce="${nonce}">${STYLE}</style></head>
<body><h1>Budgets</h1><p class="muted">Read at <span id="at">${escapeHtml(view.at)}</span>; refreshes every 5 s. <span id="status"></span></p>
<table><thead><tr><th>Budget</th><th>Key</th><th>Used (▮ spent, ▯ reserved, | warning)</th><th>Spent</th><th>Reserved</th><th>Limit</th><th>Burn rate</th><th>Projected</th><th>Resets</th></tr></thead>
<tbody id="rows">${rows}</tbody></table>${empty}
<h2>Recent refusals</h2>${refusalsHtml(view.refusals)}
<form method="post" action="/budgets/sign-out"><button>Sign out</button></form>
<script nonce="${nonce}">${SCRIPT}</script></body></html>`;
}

/** The sign-in form: one password field for an API key with the `view` or `admin` scope. */
export function signInPage(nonce: string, problem?: string): string {
  const said = problem === undefined ? "" : `<p role="alert">${escapeHtml(problem)}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hexarch budgets: sign in</title><style nonce="${nonce}">${STYLE}</style></head>
<body><h1>Budgets</h1>${said}<form method="post" action="/budgets/sign-in">
<label>API key (view or admin) <input type="password" name="key" autocomplete="current-password" required></label><button>Sign in</button></form></body></html>`;
}
