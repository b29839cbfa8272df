// Pins the public surface of hexarch-guardrails/express, so an export is never added or lost by accident.
import { describe, expect, it } from "vitest";
import * as express from "../../../src/adapters/express.js";

describe("hexarch-guardrails/express exports", () => {
  it("are exactly hexarch and guard at run time", () => {
    expect(Object.keys(express).sort()).toEqual(["guard", "hexarch"]);
  });
});
