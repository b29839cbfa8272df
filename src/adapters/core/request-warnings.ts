// One-time warnings about a set-up hexarch can only see in requests: client identity, an unread body (proxies: context-builder.ts).
import { configWarning, type Logger } from "../../errors/warnings.js";

/** Where each warning is explained: the README section of the same name. */
export const WARNINGS_HELP = "https://www.npmjs.com/package/hexarch-guardrails#warnings";

/** Warns once per logger under `code`, naming the code and the README section that explains it. */
export function warn(logger: Logger, code: string, message: string): void {
  configWarning(logger, code, `${message} (${code}, see ${WARNINGS_HELP})`);
}

/** The warning, once per logger, and the 428 instruction for a request whose body hexarch cannot see. */
export function unreadBody(logger: Logger): string {
  const fix = "put the body parser before hexarch() (e.g. app.use(express.json()) first), so a confirmation token covers the body";
  warn(
    logger,
    "HEXARCH_BODY_UNREAD",
    `a request has a body that no parser read before hexarch(), so no confirmation token can be bound to it: ${fix}`,
  );
  return `no confirmation token was issued: the server cannot see this request's body (its operator must ${fix})`;
}

/** Warns once that a Next.js route has no way to tell clients apart (`HEXARCH_NEXT_NO_CLIENT`). */
export function warnNoClientIdentity(logger: Logger, label: string): void {
  warn(
    logger,
    "HEXARCH_NEXT_NO_CLIENT",
    `${label} has neither trustProxy nor clientKey, so every caller counts as one client ("unknown-client") and per-client limits act as one global limit`,
  );
}
