// When a call refused by time windows may go ahead: the first minute every enforced window of the call allows.
import type { Check } from "./compile/rule.js";
import type { ScopedCall } from "./scope.js";
import type { DecidingFinding } from "./decision-builder.js";

/** How far ahead a time-window refusal looks for the moment every window allows the call (the window search bound). */
const MAX_WINDOW_SEARCH_MS = 8 * 86_400_000;

/**
 * A time-window refusal whose Retry-After points at the first minute all `windows` (the time checks of the call's
 * enforced blocking rules) allow: Friday 16:00-24:00 in one rule and the weekend in another reopen on Monday, not at
 * Saturday midnight. The search stops MAX_WINDOW_SEARCH_MS ahead.
 * @example whenWindowsOpen(call, [fridayEvening, weekend], refusal).retryAfter // seconds until Monday 00:00
 */
export function whenWindowsOpen(call: ScopedCall, windows: readonly Check[], refusal: DecidingFinding): DecidingFinding {
  const now = call.now();
  const giveUpAt = now + MAX_WINDOW_SEARCH_MS;
  let at = now + (refusal.retryAfter ?? 0) * 1000;
  for (let moved = true; moved && at < giveUpAt;) {
    moved = false;
    for (const window of windows) {
      const failure = window.test(call.ctx, call.environment, at);
      if (failure === undefined) continue;
      at += Math.max(failure.retryAfter ?? 60, 1) * 1000;
      moved = true;
    }
  }
  return { ...refusal, retryAfter: Math.ceil((Math.min(at, giveUpAt) - now) / 1000) };
}
