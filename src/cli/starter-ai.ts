// What `hexarch init --ai` adds to the starter: model prices with their date and source, an AI spend policy, its cases.

/** When the starter prices were copied, and where to check them: hexarch ships no price list that goes stale. */
export const PRICES_TAKEN_ON = "2026-12-03";

/**
 * The AI spend policy, as list items to append to the starter's `policies:`.
 * @example STARTER_POLICY + AI_POLICY + AI_PRICES
 */
export const AI_POLICY = `
  # AI spend: model calls state model, input tokens and max output tokens; prices: below turns them into money.
  - id: "ai_spend"
    description: "Model calls within 50 a month, no Opus, no runaway prompt"
    rules:
      - resource: "llm"             # calls that name this resource
        monthly_budget: 50          # reserved per call as input × input price + max output × output price
        max_cost_per_call: 1        # refuse one call that could cost more (the max_tokens: 100000 prompt)
        forbidden_models: ["*opus*"]   # denied, naming the model
        reservation_ttl: 600        # seconds: a call never settled then counts as spent at its estimate
        action: "warn_at_80%"
`;

/** The commented `prices:` section: a few well-known models, with the date and where to check. */
export const AI_PRICES = `
# Model prices per million tokens, in the budgets' unit (USD here). A call to a model with no entry is refused
# by a budget that needs its price. The most specific entry wins: an exact name over a glob, then the longer
# text before the first *. These were copied on ${PRICES_TAKEN_ON} and change without notice: check
#   https://openai.com/api/pricing
#   https://docs.anthropic.com/en/docs/about-claude/pricing
prices:
  "gpt-4o*":            { input_per_mtok: 2.5,  output_per_mtok: 10,  cached_input_per_mtok: 1.25 }
  "gpt-4o-mini*":       { input_per_mtok: 0.15, output_per_mtok: 0.6, cached_input_per_mtok: 0.075 }
  "claude-3-5-haiku*":  { input_per_mtok: 0.8,  output_per_mtok: 4,   cached_input_per_mtok: 0.08 }
  "claude-sonnet-4*":   { input_per_mtok: 3,    output_per_mtok: 15,  cached_input_per_mtok: 0.3 }
  "claude-opus-4-1*":   { input_per_mtok: 15,   output_per_mtok: 75,  cached_input_per_mtok: 1.5 }
`;

/** The cases of the AI spend policy, as list items to append to the starter's `cases:`. */
export const AI_CASES = `
  - name: "model calls are priced by tokens; Opus, a runaway prompt and an unpriced model are refused"
    at: "2026-01-05T10:00:00Z"
    requests:
      - { resource: llm, model: gpt-4o-mini, input_tokens: 2000, max_output_tokens: 1000, usage: { prompt_tokens: 2000, completion_tokens: 400 }, expect: allow }
      - { resource: llm, model: claude-opus-4-1-20250805, input_tokens: 2000, max_output_tokens: 1000, expect: { outcome: deny, reason: "forbidden_models" } }
      - { resource: llm, model: gpt-4o, input_tokens: 2000, max_output_tokens: 100000, expect: { outcome: deny, reason: "max_cost_per_call" } }
      - { resource: llm, model: llama-3-70b, input_tokens: 2000, expect: { outcome: deny, reason: "has no price" } }

  - name: "the AI budget warns past 80% and refuses a call that would go past 50"
    at: "2026-01-05T10:00:00Z"
    state:
      - { policy: ai_spend, used: 49.5 }   # start the month with 49.5 spent
    requests:
      - { resource: llm, model: gpt-4o, input_tokens: 4000, max_output_tokens: 1000, expect: { outcome: warn, reason: "budget at 99%" } }
      - { resource: llm, model: claude-sonnet-4-20250514, input_tokens: 100000, max_output_tokens: 20000, expect: { outcome: limit, status: 429 } }
`;
