// The guardian's telemetry, notifier and budgets-page options, checked once when the guardian is made.
import { z } from "zod";
import { PolicyConfigError } from "../errors/config-error.js";
import type { Notifier } from "../notify/notifier.js";
import type { TelemetryOption } from "./telemetry.js";

/** The options as given to createGuardian. */
export interface ObserveOptions {
  readonly telemetry?: unknown;
  readonly notifier?: unknown;
  readonly budgetsPageUrl?: unknown;
}

const OptionsSchema = z.object({
  telemetry: z
    .union([z.literal(false), z.strictObject({ spans: z.boolean().optional(), timeEvery: z.int().min(1).max(1_000_000).optional() })])
    .optional(),
  notifier: z
    .custom<Notifier>(
      (value) =>
        typeof value === "object" &&
        value !== null &&
        typeof (value as Notifier).send === "function" &&
        typeof (value as Notifier).close === "function",
      { message: "expected an object with send(event) and close() methods" },
    )
    .optional(),
  budgetsPageUrl: z.url({ protocol: /^https?$/, message: "expected an http or https URL" }).optional(),
});

const FIXES: Readonly<Record<string, string>> = {
  telemetry: "pass false, or { spans?: boolean, timeEvery?: a whole number from 1 }, or leave it out",
  notifier: "pass a Notifier (send and close), or leave it out",
  budgetsPageUrl: "pass the page's full address, e.g. https://hexarch.example.com/budgets",
};

/**
 * The checked options; a wrong one throws PolicyConfigError naming it and the fix.
 * @example const { notifier } = observeOptions({ notifier: myNotifier });
 */
export function observeOptions(options: ObserveOptions): {
  telemetry?: TelemetryOption | undefined;
  notifier?: Notifier | undefined;
  budgetsPageUrl?: string | undefined;
} {
  const parsed = OptionsSchema.safeParse({
    telemetry: options.telemetry,
    notifier: options.notifier,
    budgetsPageUrl: options.budgetsPageUrl,
  });
  if (parsed.success) return parsed.data;
  throw new PolicyConfigError(
    parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return { file: "<options>", path: `createGuardian().${issue.path.join(".")}`, message: issue.message, fix: FIXES[name] ?? "" };
    }),
    "invalid options for createGuardian()",
  );
}
