// What a rate counter's algorithm adds to its limit: the bucket size, and the shape the store admits calls by.
import type { AdmittingRate, RateAlgorithm } from "../../stores/store.js";

/**
 * The parts of a rate counter that follow from its limit and algorithm: the bucket size and the store's shape. A
 * bucket's `burst` defaults to the limit.
 * @example rateShape("token_bucket", 60, 10) // { burst: 10, rate: { algorithm: "token_bucket", limit: 60, burst: 10 } }
 */
export function rateShape(
  algorithm: RateAlgorithm,
  limit: number,
  burst: number | undefined,
): { burst: number; rate: AdmittingRate | undefined } {
  if (algorithm === "fixed_window") return { burst: limit, rate: undefined };
  const size = algorithm === "token_bucket" ? (burst ?? limit) : limit;
  return { burst: size, rate: { algorithm, limit, burst: size } };
}
