// Tokens × prices per million tokens → whole millionths, exactly: the one place token counts become money.
import { MAX_POINTS } from "../../stores/store.js";

/** The most tokens one call may state or report in one field: one billion (a cost stays exact below it). */
export const MAX_TOKENS = 1_000_000_000;

const MICROS = 1_000_000;

/** A price per million tokens, in whole millionths of the budget's unit (2.5 → 2_500_000). */
export interface MicroPrice {
  /** Whole units per million tokens. */
  readonly whole: number;
  /** Millionths of a unit per million tokens beyond `whole`, 0 to 999_999. */
  readonly fraction: number;
}

/** Splits a price in millionths per million tokens, so token × price stays within exact integers. */
export function microPrice(micros: number): MicroPrice {
  const fraction = micros % MICROS;
  return { whole: (micros - fraction) / MICROS, fraction };
}

/** Token counts of one call, each priced at its own rate. */
export interface PricedTokens {
  readonly input: number;
  readonly cachedInput: number;
  readonly output: number;
}

/** Prices of input, cached input and output tokens of one model. */
export interface TokenPrices {
  readonly input: MicroPrice;
  readonly cachedInput: MicroPrice;
  readonly output: MicroPrice;
}

/**
 * The cost of `tokens` in whole millionths: Σ tokens × price per million tokens, rounded up to the next millionth once
 * for the call. Exact for token counts up to MAX_TOKENS: the whole part and the fraction are summed apart, so no
 * product leaves the integers a number holds exactly. A cost above MAX_POINTS comes back above it (no budget fits it).
 * @example tokenCostMicros({ input: 1000, cachedInput: 0, output: 500 }, gpt4oPrices) // 7500 (0.0075)
 */
export function tokenCostMicros(tokens: PricedTokens, prices: TokenPrices): number {
  const whole = tokens.input * prices.input.whole + tokens.cachedInput * prices.cachedInput.whole + tokens.output * prices.output.whole;
  if (whole > MAX_POINTS) return whole;
  const fraction =
    tokens.input * prices.input.fraction + tokens.cachedInput * prices.cachedInput.fraction + tokens.output * prices.output.fraction;
  const rest = fraction % MICROS;
  return whole + (fraction - rest) / MICROS + (rest > 0 ? 1 : 0);
}

/**
 * Why `value` cannot be a token count, or undefined when it can: a whole number from 0 to MAX_TOKENS.
 * @example tokenCountProblem(-3, "inputTokens") // "inputTokens -3 is not a token count: …"
 */
export function tokenCountProblem(value: unknown, name: string): string | undefined {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_TOKENS) return undefined;
  const shown = typeof value === "number" ? String(value) : `${JSON.stringify(value) ?? String(value)} (${typeof value})`;
  return `${name} ${shown} is not a token count: give a whole number from 0 to ${MAX_TOKENS}`;
}
