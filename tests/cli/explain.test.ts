// `hexarch explain`: the decision for one request at a frozen instant, rule by rule, and the HTTP answer.
import { afterEach, describe, expect, it } from "vitest";
import { runHexarch, tempProject } from "./run-hexarch.js";

let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => project?.remove());

const AT = "2026-11-27T16:30:00-05:00";

describe("hexarch explain", () => {
  it("explains a delete: which rules applied and why, the decision and the 428 answer", async () => {
    project = tempProject(["quickstart.yaml"]);
    const run = await runHexarch(["explain", "quickstart.yaml", "--method", "DELETE", "--path", "/users/7", "--at", AT], {
      cwd: project.dir,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const out = run.stdout;
    expect(out).toContain("Request   DELETE /users/7 · operation delete · client 127.0.0.1\n");
    expect(out).toContain("At        2026-11-27T21:30:00.000Z\n");
    expect(out).toContain("Decision  CONFIRM  Policy 'safe_delete' requires confirmation: Require confirmation for destructive ops\n");
    expect(out).toContain("          rule safe_delete#0 (quickstart.yaml:17:9)\n");
    expect(out).toMatch(/not applied {2}api_budget#0 \(quickstart\.yaml:5:9\) .*\n {15}the call states no resource\n/);
    expect(out).toMatch(/ applied {6}safe_delete#0 \(quickstart\.yaml:17:9\) .*\n {15}Policy 'safe_delete' requires confirmation/);
    expect(out).toContain("Response  428 Precondition Required\n");
    expect(out).toContain('    "token": "<token issued by the middleware>",\n');
    expect(out).toContain('    "expires_at": "2026-11-27T21:35:00.000Z",\n');
  });

  it("--at freezes the clock for time windows, and --json carries request, decision, rules and response", async () => {
    project = tempProject(["business_hours_only.yaml"]);
    const args = ["explain", "business_hours_only.yaml", "--method", "GET", "--path", "/reports?page=2", "--json"];
    const saturday = JSON.parse((await runHexarch([...args, "--at", "2026-11-28T10:00:00-05:00"], { cwd: project.dir })).stdout);
    expect(saturday.at).toBe("2026-11-28T15:00:00.000Z");
    expect(saturday.request).toEqual({ method: "GET", route: "/reports", operation: "read", client: "127.0.0.1" });
    expect(saturday.decision).toMatchObject({ outcome: "deny", kind: "time", policyId: "business_hours_only", retryAfter: 47 * 3600 });
    expect(saturday.rules).toHaveLength(1);
    expect(saturday.rules[0]).toMatchObject({ applied: true, why: expect.stringContaining("it is 10:00 on saturday there") });
    expect(saturday.response).toMatchObject({
      status: 403,
      proceed: false,
      headers: { "Retry-After": String(47 * 3600) },
      body: { title: "Forbidden by policy", policy: "business_hours_only" },
    });

    const friday = JSON.parse((await runHexarch([...args, "--at", AT], { cwd: project.dir })).stdout);
    expect(friday.decision.outcome).toBe("allow");
    expect(friday.response).toMatchObject({ status: null, proceed: true, body: null });
  });

  it("applies only the named policy with --policy, with facts, environment and operation from flags", async () => {
    project = tempProject(["migration_safety.yaml"]);
    const base = ["explain", "migration_safety.yaml", "--policy", "migration_safety", "--operation", "migrate", "--at", AT, "--json"];
    const missingFact = JSON.parse((await runHexarch([...base, "--env", "production"], { cwd: project.dir })).stdout);
    expect(missingFact.decision.reason).toContain('fact "backup_verified" must be true (got nothing)');
    const confirmed = JSON.parse(
      (await runHexarch([...base, "--env", "production", "--fact", "backup_verified=true"], { cwd: project.dir })).stdout,
    );
    expect(confirmed.request).toMatchObject({ operation: ["migrate"], environment: "production", facts: { backup_verified: true } });
    expect(confirmed.decision.outcome).toBe("confirm");
    expect(confirmed.response.status).toBe(428);
  });

  it("shows shadow findings of a warn-mode file as what strict enforcement would answer", async () => {
    project = tempProject(["full_template.yaml"]);
    const run = await runHexarch(
      [
        "explain",
        "full_template.yaml",
        "--method",
        "GET",
        "--path",
        "/admin/users",
        "--env",
        "production",
        "--user",
        "carol",
        "--at",
        "2026-11-25T23:30:00Z",
      ],
      { cwd: project.dir },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Decision  WARN  Policy 'admin_only' denies this call: inside forbidden hours 22:00-06:00 (UTC)");
    expect(run.stdout).toContain("          strict enforcement would answer deny\n");
    expect(run.stdout).toContain("the policy is disabled (enabled: false)");
    expect(run.stdout).toContain("Response  passes to the route handler");
  });

  it("refuses bad flags with exit 2: a time without offset, a fact without =, an unknown policy", async () => {
    project = tempProject(["quickstart.yaml"]);
    const noOffset = await runHexarch(["explain", "quickstart.yaml", "--at", "2026-11-27T16:30"], { cwd: project.dir });
    expect(noOffset.code).toBe(2);
    expect(noOffset.stderr).toContain(
      'error: "2026-11-27T16:30" is not a date and time with an offset; write e.g. 2026-11-27T16:30:00-05:00',
    );
    const badFact = await runHexarch(["explain", "quickstart.yaml", "--fact", "backup"], { cwd: project.dir });
    expect(badFact.code).toBe(2);
    expect(badFact.stderr).toContain("write a fact as name=value");
    const unknown = await runHexarch(["explain", "quickstart.yaml", "--policy", "safe_delet"], { cwd: project.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: no policy "safe_delet" in quickstart.yaml; it has api_budget, rate_limit, safe_delete');
  });
});
