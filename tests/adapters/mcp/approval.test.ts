// require_approval on MCP tool calls: the approval page through URL-mode elicitation, a person's decision, one run.
import { ElicitationCompleteNotificationSchema, type ElicitRequestURLParams } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { createGuardian, type Guardian } from "../../../src/index.js";
import { APPROVAL_BASE_URL as BASE_URL, APPROVE_DELETES, APPROVE_DELETES_WITH_PAGES } from "../../support/approval-policy.js";
import { connectClosingAfterEach, decisionMetaOf, guardedServer, textOf } from "./harness.js";

const connected = connectClosingAfterEach();

const DELETE = { name: "delete_file", arguments: { path: "a.txt" } };
const URL_MODE = { url: {} };

function approvalGuardian(policyText = APPROVE_DELETES_WITH_PAGES): Guardian {
  return createGuardian({ policyText, env: {} });
}

/** The approval a refusal carries under _meta. */
function approvalOf(result: unknown): { id: string; status: string; url?: string; rejected?: string } {
  return decisionMetaOf(result)?.["approval"] as { id: string; status: string; url?: string; rejected?: string };
}

/** The approval id at the end of an approval page's address. */
function idInPage(url: string): string {
  return url.slice(url.lastIndexOf("/") + 1);
}

/**
 * A URL-mode client's answer: it opens the page (accepts), and a person, elsewhere, decides with `decide` `afterMs`
 * later. Every elicitation it is sent goes into `shown`.
 */
function openAndLetAPersonDecide(decide: (id: string) => Promise<unknown>, afterMs: number, shown: ElicitRequestURLParams[] = []) {
  return (params: unknown) => {
    const asked = params as ElicitRequestURLParams;
    shown.push(asked);
    setTimeout(() => void decide(idInPage(asked.url)), afterMs);
    return { action: "accept" as const };
  };
}

describe("require_approval over MCP: a client with URL-mode elicitation", () => {
  it("shows the page without any key; the tool runs once after a person approves, and the client hears it is complete", async () => {
    const guardian = approvalGuardian();
    const { server, runs } = guardedServer(guardian);
    const shown: ElicitRequestURLParams[] = [];
    const approve = (id: string) => guardian.approvals.approve(id, { by: "ada" });
    const { client } = await connected(server, openAndLetAPersonDecide(approve, 150, shown), URL_MODE);
    const completed: string[] = [];
    client.setNotificationHandler(ElicitationCompleteNotificationSchema, (note) => {
      completed.push(note.params.elicitationId);
    });
    const result = await client.callTool(DELETE);
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe("delete_file ran");
    expect(runs["delete_file"]).toBe(1);
    expect(shown).toHaveLength(1);
    const [asked] = shown as [ElicitRequestURLParams];
    expect(asked.mode).toBe("url");
    expect(asked.url).toMatch(new RegExp(`^${BASE_URL}/approvals/ap_[A-Za-z0-9_-]{22}$`));
    expect(asked.url).not.toContain("key=");
    expect(asked.message).toContain(idInPage(asked.url));
    await expect.poll(() => completed).toEqual([asked.elicitationId]);
    expect((await guardian.approvals.get(idInPage(asked.url)))?.status).toBe("used");
  });

  it("a person denies: the result is an error naming who denied and why, and the tool never runs", async () => {
    const guardian = approvalGuardian();
    const { server, runs } = guardedServer(guardian);
    const deny = (id: string) => guardian.approvals.deny(id, { by: "grace", reason: "not on a Friday" });
    const { client } = await connected(server, openAndLetAPersonDecide(deny, 100), URL_MODE);
    const result = await client.callTool(DELETE);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("grace denied it: not on a Friday");
    expect(decisionMetaOf(result)).toMatchObject({
      outcome: "deny",
      kind: "approval",
      approval: { status: "denied", decided_by: "grace" },
    });
    expect(runs["delete_file"]).toBeUndefined();
  });

  it.each([
    ["declines to open the page", { action: "decline" as const }, "declined", "declined to open the approval page"],
    ["dismisses the question", { action: "cancel" as const }, "cancelled", "dismissed the approval page"],
  ])("the user %s: an error with the request and what to do, and the tool does not run", async (_label, answer, failure, says) => {
    const { server, runs } = guardedServer(approvalGuardian());
    const { client } = await connected(server, answer, URL_MODE);
    const result = await client.callTool(DELETE);
    const approval = approvalOf(result);
    expect(decisionMetaOf(result)).toMatchObject({ outcome: "confirm", kind: "approval", confirmation: failure });
    expect(textOf(result)).toContain(says);
    expect(textOf(result)).toContain(`Approval request ${approval.id} is pending`);
    expect(textOf(result)).toContain("Retry the call with the same arguments after a person approves it");
    expect(runs["delete_file"]).toBeUndefined();
  });

  it("the page opened but nobody decides within approvalTimeout: an error saying so; a later retry after approval runs", async () => {
    const guardian = approvalGuardian();
    const { server, runs } = guardedServer(guardian, { approvalTimeout: 0.3 });
    const { client } = await connected(server, { action: "accept" }, URL_MODE);
    const started = Date.now();
    const waited = await client.callTool(DELETE);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(decisionMetaOf(waited)).toMatchObject({ confirmation: "waiting", approval: { status: "pending" } });
    expect(textOf(waited)).toContain("Nobody approved it while the call waited");
    await guardian.approvals.approve(approvalOf(waited).id, { by: "ada" });
    expect((await client.callTool(DELETE)).isError).toBeFalsy();
    expect(runs["delete_file"]).toBe(1);
  });

  it("a client that asks for progress hears the call is waiting for a person, so it can keep its request open", async () => {
    const guardian = approvalGuardian();
    const { server, runs } = guardedServer(guardian);
    const approve = (id: string) => guardian.approvals.approve(id, { by: "ada" });
    const { client } = await connected(server, openAndLetAPersonDecide(approve, 150), URL_MODE);
    const heard: string[] = [];
    const result = await client.callTool(DELETE, undefined, {
      onprogress: (progress) => heard.push(progress.message ?? ""),
      resetTimeoutOnProgress: true,
    });
    expect(result.isError).toBeFalsy();
    expect(heard[0]).toMatch(/^waiting for a person to decide approval request ap_/);
    expect(runs["delete_file"]).toBe(1);
  });

  it("a client with form elicitation only is not shown a form for an approval: it gets the URL in the error", async () => {
    const { server, runs } = guardedServer(approvalGuardian());
    const { client, asked } = await connected(server, { action: "accept", content: { confirm: true } });
    const result = await client.callTool(DELETE);
    expect(asked.count).toBe(0);
    expect(decisionMetaOf(result)).toMatchObject({ confirmation: "unsupported" });
    expect(textOf(result)).toContain(approvalOf(result).url);
    expect(runs["delete_file"]).toBeUndefined();
  });

  it("without approvals.base_url there is no page to show: the error says how a person approves instead", async () => {
    const { server, runs } = guardedServer(approvalGuardian(APPROVE_DELETES));
    const { client, asked } = await connected(server, { action: "accept" }, URL_MODE);
    const result = await client.callTool(DELETE);
    expect(asked.count).toBe(0);
    expect(textOf(result)).toContain("names no approvals.base_url");
    expect(textOf(result)).toContain(`hexarch approvals approve ${approvalOf(result).id}`);
    expect(runs["delete_file"]).toBeUndefined();
  });
});

describe("require_approval over MCP: a client without elicitation", () => {
  it("gets the request in the error; retries wait until a person approves, then one runs and the next does not", async () => {
    const guardian = approvalGuardian();
    const { server, runs } = guardedServer(guardian);
    const { client } = await connected(server);
    const first = await client.callTool(DELETE);
    const approval = approvalOf(first);
    expect(first.isError).toBe(true);
    expect(approval).toMatchObject({ status: "pending", url: `${BASE_URL}/approvals/${approval.id}` });
    expect(textOf(first)).toContain(approval.id);
    expect(textOf(first)).toContain(approval.url);
    expect(textOf(first)).toContain("cannot open the approval page");
    expect(textOf(first)).toContain("Retry the call with the same arguments after a person approves it");

    const early = await client.callTool({ name: "delete_file", arguments: { path: "a.txt" } });
    expect(approvalOf(early)).toMatchObject({ id: approval.id, status: "pending" });
    expect(runs["delete_file"]).toBeUndefined();

    await guardian.approvals.approve(approval.id, { by: "ada" });
    const approved = await client.callTool(DELETE);
    expect(approved.isError).toBeFalsy();
    expect(runs["delete_file"]).toBe(1);

    const again = await client.callTool(DELETE);
    expect(again.isError).toBe(true);
    expect(approvalOf(again)).toMatchObject({ status: "pending" });
    expect(approvalOf(again).id).not.toBe(approval.id);
    const withUsedId = await client.callTool({ ...DELETE, _meta: { "hexarch/approval": approval.id } });
    expect(approvalOf(withUsedId)).toMatchObject({ rejected: "used", status: "pending" });
    expect(textOf(withUsedId)).toContain("was used by an earlier run");
    expect(runs["delete_file"]).toBe(1);
  });

  it("an approval is bound to the arguments and the session: another path, or the same call from another session, waits", async () => {
    const guardian = approvalGuardian();
    const first = guardedServer(guardian);
    const second = guardedServer(guardian);
    const a = await connected(first.server);
    const b = await connected(second.server);
    const asked = approvalOf(await a.client.callTool(DELETE));
    await guardian.approvals.approve(asked.id, { by: "ada" });
    const otherPath = await a.client.callTool({ name: "delete_file", arguments: { path: "b.txt" } });
    const otherSession = await b.client.callTool(DELETE);
    expect([otherPath.isError, otherSession.isError]).toEqual([true, true]);
    expect([approvalOf(otherPath).id, approvalOf(otherSession).id]).not.toContain(asked.id);
    expect((await a.client.callTool(DELETE)).isError).toBeFalsy();
    expect([first.runs["delete_file"], second.runs["delete_file"]]).toEqual([1, undefined]);
  });

  it("the person deciding is shown the tool, the session and the arguments, clipped", async () => {
    const guardian = approvalGuardian();
    const { server } = guardedServer(guardian);
    const { client } = await connected(server);
    const asked = approvalOf(await client.callTool(DELETE));
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`extra${i}`, i]));
    const crowded = approvalOf(await client.callTool({ name: "delete_file", arguments: { path: "x".repeat(1_000), ...many } }));
    const [request, crowdedRequest] = await Promise.all([guardian.approvals.get(asked.id), guardian.approvals.get(crowded.id)]);
    expect(request?.subject).toMatchObject({ resource: "delete_file", operation: "delete", facts: { "arguments.path": "a.txt" } });
    expect(request?.subject.client).toMatch(/^mcp-connection:/);
    const facts = crowdedRequest?.subject.facts ?? {};
    expect(String(facts["arguments.path"])).toHaveLength(200);
    expect(Object.keys(facts)).toHaveLength(21);
    expect(facts["arguments not shown"]).toBe(11);
  });

  it("a denied request answers every retry with who denied it and why", async () => {
    const guardian = approvalGuardian();
    const { server, runs } = guardedServer(guardian);
    const { client } = await connected(server);
    const asked = approvalOf(await client.callTool(DELETE));
    await guardian.approvals.deny(asked.id, { by: "grace", reason: "wrong table" });
    const retried = await client.callTool(DELETE);
    expect(textOf(retried)).toContain("grace denied it: wrong table");
    expect(decisionMetaOf(retried)).toMatchObject({ outcome: "deny", approval: { id: asked.id, status: "denied" } });
    expect(runs["delete_file"]).toBeUndefined();
  });

  it("a tool outside require_approval runs as before, and a confirmation rule beside an approval asks after it", async () => {
    const policy = `${APPROVE_DELETES_WITH_PAGES}
  - id: confirm_deletes
    rules:
      - resource: delete_file
        action: require_confirmation
`;
    const guardian = approvalGuardian(policy);
    const { server, runs } = guardedServer(guardian);
    const { client, asked } = await connected(
      server,
      (params) => {
        const url = (params as { url?: string }).url;
        if (url !== undefined) setTimeout(() => void guardian.approvals.approve(idInPage(url), { by: "ada" }), 50);
        return url === undefined ? { action: "accept", content: { confirm: true } } : { action: "accept" };
      },
      { form: {}, ...URL_MODE },
    );
    expect((await client.callTool({ name: "list_files" })).isError).toBeFalsy();
    expect((await client.callTool(DELETE)).isError).toBeFalsy();
    expect(asked.count).toBe(2);
    expect(runs).toEqual({ list_files: 1, delete_file: 1 });
  });
});
