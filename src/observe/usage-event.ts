// A priced decision whose settle(usage) also tells its span the tokens the model used (GenAI semantic conventions).
import type { Span } from "@opentelemetry/api";
import { Decision, resettled } from "../engine/decision.js";
import { isUsage, readUsage, type TokenUsage } from "../engine/pricing/usage.js";

/** The same decision; settling it with a provider's usage adds a `hexarch.settle` event to `span` first. */
class UsageReportingDecision extends Decision {
  readonly #span: Span;

  constructor(decision: Decision, span: Span) {
    super(resettled(decision, (cost) => decision.settle(cost)));
    this.#span = span;
  }

  override settle(actual: number | TokenUsage): Promise<void> {
    const tokens = isUsage(actual) ? readUsage(actual) : undefined;
    if (tokens !== undefined && !(tokens instanceof Error) && this.#span.isRecording())
      this.#span.addEvent("hexarch.settle", {
        "gen_ai.usage.input_tokens": tokens.input + tokens.cachedInput,
        "gen_ai.usage.output_tokens": tokens.output,
      });
    return super.settle(actual);
  }
}

/**
 * `decision`, made to report the usage it is settled with on `span`.
 * @example return decision.price === undefined ? decision : reportingUsage(decision, span);
 */
export function reportingUsage(decision: Decision, span: Span): Decision {
  return new UsageReportingDecision(decision, span);
}
