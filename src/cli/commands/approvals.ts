// `hexarch approvals list | show ID | approve ID | deny ID`: a person decides approval requests, from the store or a server.
import type { Command } from "commander";
import type { ApprovalDetails, GuardianApprovals } from "../../guardian/approvals/guardian-approvals.js";
import { EXIT, UsageError, type ExitCode } from "../exit-codes.js";
import { guardianFor, loadPolicySource } from "../policy-source.js";
import type { Act } from "../program.js";
import type { Terminal } from "../terminal.js";

interface SourceOptions {
  readonly redisUrl?: string;
  readonly url?: string;
  readonly key?: string;
  readonly file?: string;
  readonly json?: boolean;
}

/** What the subcommands need, from the store or from a running server. */
type Desk = Pick<GuardianApprovals, "list" | "get" | "approve" | "deny"> & { close(): Promise<void> };

/** A running server's approval API, with an approve (or admin) key. */
function serverDesk(url: string, key: string | undefined): Desk {
  if (key === undefined || key === "") throw new UsageError("--url needs a key with the approve scope: --key hxk_… or HEXARCH_API_KEY");
  const call = async (method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url.replace(/\/+$/, "")}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json().catch(() => ({}))) as { detail?: string };
    if (response.status === 404 && method === "GET") return undefined;
    if (!response.ok) throw new UsageError(`the server answered ${response.status}: ${answer.detail ?? "no detail"}`);
    return answer;
  };
  return {
    list: async () => ((await call("GET", "/v1/approvals")) as { approvals: ApprovalDetails[] }).approvals,
    get: async (id) => (await call("GET", `/v1/approvals/${encodeURIComponent(id)}`)) as ApprovalDetails | undefined,
    approve: async (id, { by }) => (await call("POST", `/v1/approvals/${encodeURIComponent(id)}/approve`, { by })) as ApprovalDetails,
    deny: async (id, { by, reason }) =>
      (await call("POST", `/v1/approvals/${encodeURIComponent(id)}/deny`, { by, reason })) as ApprovalDetails,
    close: async () => {},
  };
}

/** The store the policy file (or --redis-url) names; refused when that is memory, which only the app itself holds. */
function storeDesk(terminal: Terminal, options: SourceOptions): Desk {
  const source = loadPolicySource(terminal, options.file);
  const env = options.redisUrl === undefined ? terminal.env : { ...terminal.env, HEXARCH_REDIS_URL: options.redisUrl };
  // The decisions made here are steps of the app's decision log: the file's logging: section is written to.
  const guardian = guardianFor(source, { env, cwd: terminal.cwd }, true);
  if (guardian.store.name !== "redis") {
    void guardian.close();
    throw new UsageError(
      "approval requests kept in memory live inside the running app; set store.redis_url (or HEXARCH_REDIS_URL, or --redis-url), " +
        "or reach a running hexarch serve with --url and --key",
    );
  }
  return { ...guardian.approvals, close: () => guardian.close() };
}

async function withDesk(terminal: Terminal, options: SourceOptions, use: (desk: Desk) => Promise<ExitCode>): Promise<ExitCode> {
  const key = options.key ?? terminal.env["HEXARCH_API_KEY"];
  const desk = options.url === undefined ? storeDesk(terminal, options) : serverDesk(options.url, key);
  try {
    return await use(desk);
  } catch (error) {
    if (error instanceof Error && "code" in error && String(error.code).startsWith("HEXARCH_APPROVAL_")) {
      terminal.err(`${terminal.paintErr.red("error:")} ${error.message}`);
      return EXIT.FAILED;
    }
    throw error;
  } finally {
    await desk.close();
  }
}

/** One request on one line, its id first: id, policy, what, expiry. */
function line(approval: ApprovalDetails): string {
  const { subject } = approval;
  const what = [subject.method, subject.path, subject.operation, subject.resource].filter((part) => part !== undefined).join(" ");
  return `${approval.id}  ${approval.policy}  ${what === "" ? "-" : what}  expires ${approval.expires_at}`;
}

function show(terminal: Terminal, approval: ApprovalDetails, json: boolean | undefined): void {
  if (json === true) {
    terminal.out(JSON.stringify(approval, null, 2));
    return;
  }
  terminal.out(`${approval.id}: ${approval.status}${approval.decided_by === undefined ? "" : ` by ${approval.decided_by}`}`);
  terminal.out(`  policy   ${approval.policy}`);
  terminal.out(`  asked    ${approval.created_at}, expires ${approval.expires_at}`);
  for (const [name, value] of Object.entries(approval.subject))
    terminal.out(`  ${name.padEnd(8)} ${typeof value === "string" ? value : JSON.stringify(value)}`);
  if (approval.reason !== undefined) terminal.out(`  why      ${approval.reason}`);
}

/** Adds the options every subcommand shares. */
function sourced(command: Command): Command {
  return command
    .option("--file <file>", "policy file naming the store (default: HEXARCH_POLICY_FILE, else hexarch.yaml here or above)")
    .option("--redis-url <url>", "the Redis the app keeps its approval requests in (default: the file's store)")
    .option("--url <url>", "a running hexarch serve, instead of the store")
    .option("--key <key>", "with --url: an API key with the approve scope (default: HEXARCH_API_KEY)")
    .option("--json", "print JSON");
}

/**
 * Adds `hexarch approvals list | show ID | approve ID [--by NAME] | deny ID --reason …` to the program.
 * @example registerApprovals(program, terminal, act)
 */
export function registerApprovals(program: Command, terminal: Terminal, act: Act): void {
  const approvals = program
    .command("approvals")
    .description("list, show, approve or deny the approval requests of require_approval rules")
    .addHelpText(
      "after",
      [
        "",
        "Requests live in the app's store (Redis) or behind a running server. `list` prints one pending request a line, its id first.",
        "",
        "Examples:",
        "  $ hexarch approvals list --redis-url redis://127.0.0.1:6379",
        "  $ hexarch approvals approve ap_3Yc… --by ada",
        "  $ hexarch approvals deny ap_3Yc… --reason 'no backup yet' --url https://guard.example.com --key hxk_…",
        "",
      ].join("\n"),
    );
  sourced(approvals.command("list").description("the pending requests, one a line, id first")).action(
    act((options: SourceOptions) =>
      withDesk(terminal, options, async (desk) => {
        const pending = await desk.list();
        if (options.json === true) terminal.out(JSON.stringify(pending, null, 2));
        else for (const approval of pending) terminal.out(line(approval));
        return EXIT.OK;
      }),
    ),
  );
  sourced(approvals.command("show").description("one request: what it asks, who asked, where it stands").argument("<id>")).action(
    act((id: string, options: SourceOptions) =>
      withDesk(terminal, options, async (desk) => {
        const found = await desk.get(id);
        if (found === undefined) throw new UsageError(`no approval request ${id}`);
        show(terminal, found, options.json);
        return EXIT.OK;
      }),
    ),
  );
  sourced(approvals.command("approve").description("approve a pending request: the same call is admitted once").argument("<id>"))
    .option("--by <name>", "who approves (default: USER)")
    .action(
      act((id: string, options: SourceOptions & { by?: string }) =>
        withDesk(terminal, options, async (desk) => {
          show(terminal, await desk.approve(id, { by: options.by ?? terminal.env["USER"] ?? "cli" }), options.json);
          return EXIT.OK;
        }),
      ),
    );
  sourced(approvals.command("deny").description("deny a pending request, saying why").argument("<id>"))
    .requiredOption("--reason <text>", "why: the refused caller reads it")
    .option("--by <name>", "who denies (default: USER)")
    .action(
      act((id: string, options: SourceOptions & { by?: string; reason: string }) =>
        withDesk(terminal, options, async (desk) => {
          show(terminal, await desk.deny(id, { by: options.by ?? terminal.env["USER"] ?? "cli", reason: options.reason }), options.json);
          return EXIT.OK;
        }),
      ),
    );
}
