// Builds small real Express 5 apps around hexarch for the adapter tests.
import express from "express";
import { createGuardian, type Guardian } from "../../../src/guardian/create-guardian.js";
import { QUICK_START } from "../../contract/adapters/cases.js";

export { QUICK_START };
export const SECRET = "express-tests-secret-0123456789";

/** A guardian on the memory store for the given policy text. */
export function guardianFor(policies: string = QUICK_START): Guardian {
  return createGuardian({ policyText: policies });
}

/** A rate limit of `n` per minute on every call. */
export function perMinute(n: number): string {
  return `policies:\n  - id: per_minute\n    rules:\n      - requests_per_minute: ${n}\n`;
}

/** An Express app that parses JSON, applies `middleware`, and counts handler runs. */
export function appWith(
  middleware: express.RequestHandler,
  configure?: (app: express.Express) => void,
): { app: express.Express; handled: () => number } {
  const app = express();
  configure?.(app);
  app.use(express.json());
  app.use(middleware);
  let runs = 0;
  app.use((_req, res) => {
    runs++;
    res.json({ ok: true });
  });
  return { app, handled: () => runs };
}
