// Collects the problems a policy text is refused with, for the config tests.
import { expect } from "vitest";
import { parsePolicyText } from "../../../src/engine/config/load.js";
import { PolicyConfigError, type ConfigProblem } from "../../../src/errors/config-error.js";

/** The problems parsePolicyText reports for `text` (fails the test if it does not throw a PolicyConfigError). */
export function problemsOf(text: string): readonly ConfigProblem[] {
  try {
    parsePolicyText(text, "hexarch.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    return (error as PolicyConfigError).problems;
  }
  throw new Error("expected a PolicyConfigError");
}
