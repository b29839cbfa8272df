// configWarning: once per logger, so an app's logger hears a warning even when another logger in the process heard it first.
import { expect, it } from "vitest";
import { configWarning, type Logger } from "../../../src/errors/warnings.js";

function recordingLogger(): Logger & { codes: string[] } {
  const codes: string[] = [];
  return { codes, info() {}, error() {}, warn: (object) => void codes.push(String(object["code"])) };
}

it("does not swallow a warning because another logger in the process was given it first", () => {
  const first = recordingLogger();
  const second = recordingLogger();
  configWarning(first, "HEXARCH_TEST_ONCE", "the same mistake");
  configWarning(second, "HEXARCH_TEST_ONCE", "the same mistake");
  expect(first.codes).toEqual(["HEXARCH_TEST_ONCE"]);
  expect(second.codes).toEqual(["HEXARCH_TEST_ONCE"]);
});

it("warns one logger once for the same code and message, and again for another message", () => {
  const logger = recordingLogger();
  configWarning(logger, "HEXARCH_TEST_REPEAT", "a mistake");
  configWarning(logger, "HEXARCH_TEST_REPEAT", "a mistake");
  configWarning(logger, "HEXARCH_TEST_REPEAT", "another mistake");
  expect(logger.codes).toEqual(["HEXARCH_TEST_REPEAT", "HEXARCH_TEST_REPEAT"]);
});
