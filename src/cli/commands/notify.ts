// `hexarch notify test`: a sample of every event to every `notify:` target of the policy file, each delivery reported.
import type { Command } from "commander";
import { approvalUrl, pageUnder } from "../../guardian/approvals/approval-record.js";
import { createNotifier } from "../../notify/create-notifier.js";
import type { NotifyEvent } from "../../notify/notifier.js";
import { EXIT, UsageError } from "../exit-codes.js";
import { loadPolicySource } from "../policy-source.js";
import type { Act } from "../program.js";
import type { Terminal } from "../terminal.js";

/** Seconds one delivery may take before it counts as failed. */
const TIMEOUT_MS = 5000;

/** A sample of each event hexarch sends, marked `test: true` so a receiver can tell it from a real one. */
function sampleEvents(now: number, baseUrl: string | undefined): NotifyEvent[] {
  const budgetsPage = pageUnder(baseUrl, "budgets");
  const approvalPage = approvalUrl(baseUrl, "ap_sample");
  const expires = new Date(now + 900_000).toISOString();
  const budget = {
    test: true,
    policy: "ai_spend",
    rule: 0,
    window: "daily",
    key: "user:sample",
    period: new Date(now).toISOString().slice(0, 10),
    limit: 100,
    warnAt: 80,
    periodEndsAt: new Date(now + 3_600_000).toISOString(),
    ...(budgetsPage === undefined ? {} : { page: budgetsPage }),
  };
  return [
    {
      type: "approval.requested",
      test: true,
      approval: { id: "ap_sample", status: "pending", expires_at: expires },
      policy: "prod_delete",
      subject: { method: "DELETE", path: "/users/42", client: "sample" },
      ...(approvalPage === undefined ? {} : { url: approvalPage }),
    },
    { type: "budget.warning", ...budget, spent: 81, reserved: 2, projected: 120 },
    { type: "budget.exhausted", ...budget, spent: 100, reserved: 0, projected: 140 },
  ];
}

/** The address as printed: no path or query, which may hold a webhook's secret (Slack's do). */
function shown(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "<an address that is not a URL>";
  }
}

/**
 * Adds `hexarch notify test` to the program: every sample to every target, one line per delivery, exit 1 when any
 * target did not answer 2xx.
 * @example registerNotify(program, terminal, act)
 */
export function registerNotify(program: Command, terminal: Terminal, act: Act): void {
  const notify = program.command("notify").description("the policy file's notify: targets");
  notify
    .command("test")
    .description("send a sample of each event (approval.requested, budget.warning, budget.exhausted) to every notify: target")
    .option("--file <file>", "policy file (default: HEXARCH_POLICY_FILE, else hexarch.yaml here or above)")
    .action(
      act(async (options: { file?: string }) => {
        const source = loadPolicySource(terminal, options.file);
        const targets = source.loaded.spec.notify ?? [];
        if (targets.length === 0)
          throw new UsageError(`${source.file} has no notify: targets; add one, e.g. notify: [{ webhook: "https://…" }]`);
        const answers = new Map<string, string>();
        const notifier = createNotifier(targets, {
          env: terminal.env,
          attempts: 1,
          timeoutMs: TIMEOUT_MS,
          // Seen on the way back, so each delivery can be reported: the notifier itself never tells its caller.
          fetch: async (input, init) => {
            const address = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
            const key = `${address}\n${typeof init?.body === "string" ? init.body : ""}`;
            try {
              const response = await fetch(input, init);
              answers.set(key, String(response.status));
              return response;
            } catch (error) {
              answers.set(key, error instanceof Error ? error.message : String(error));
              throw error;
            }
          },
        });
        const events = sampleEvents(Date.now(), source.loaded.spec.approvals?.base_url);
        for (const event of events) notifier.send(event);
        await notifier.close();
        let failed = 0;
        for (const [key, answer] of answers) {
          const [url = "", body = ""] = key.split("\n");
          const type = body.match(/"type":"([a-z.]+)"/)?.[1] ?? "slack message";
          const ok = /^2\d\d$/.test(answer);
          if (!ok) failed += 1;
          terminal.out(`${ok ? terminal.paint.green("sent") : terminal.paint.red("failed")}  ${type} → ${shown(url)}: ${answer}`);
        }
        const expected = targets.length * events.length;
        if (answers.size < expected) failed += expected - answers.size;
        return failed === 0 ? EXIT.OK : EXIT.FAILED;
      }),
    );
}
