// A scripted agent retrying whatever it gets 1,000 times: the handler never runs before a person approves, then once.
import { createServer, type RequestListener, type Server } from "node:http";
import express from "express";
import Koa from "koa";
import { afterAll, describe, expect, it } from "vitest";
import { hexarch as expressHexarch } from "../../../src/adapters/express.js";
import { hexarch as koaHexarch } from "../../../src/adapters/koa.js";
import { withHexarch } from "../../../src/adapters/next.js";
import { createGuardian, PolicyViolation, type Guardian } from "../../../src/index.js";
import { jsonBody } from "../../adapters/koa/app.js";
import { toContract, toRequest } from "../../contract/adapters/fetch-response.js";
import type { ContractRequest, ContractResponse } from "../../contract/adapters/driver.js";
import { retryAgent, type Send } from "./scripted-agent.js";

const POLICY = `
approvals:
  base_url: "https://guard.example.com"
policies:
  - id: prod_delete
    rules:
      - operation: delete
        action: require_approval
  - id: deletes_confirmed
    rules:
      - operation: delete
        route: /tables/*
        action: require_confirmation
`;

const RETRIES = 1000;
const DROP: ContractRequest = { method: "DELETE", path: "/tables/users", body: { reason: "cleanup" } };
const SECRET = "approval-attack-secret-0123456789";

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

/** A Node listener on a free port, sent to with fetch. */
async function listening(listener: RequestListener): Promise<Send> {
  const server = createServer(listener).listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  return async (request) => {
    const web = toRequest(request);
    const response = await fetch(`http://127.0.0.1:${port}${request.path}`, {
      method: web.method,
      headers: web.headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
    return toContract(response);
  };
}

interface Target {
  readonly send: Send;
  readonly runs: () => number;
}

const apps: Record<string, (guardian: Guardian) => Promise<Target>> = {
  express: async (guardian) => {
    let runs = 0;
    const app = express();
    app.use(express.json());
    app.use(expressHexarch({ guardian, secret: SECRET }));
    app.use((_req, res) => void res.json({ ran: ++runs }));
    return { send: await listening(app), runs: () => runs };
  },
  koa: async (guardian) => {
    let runs = 0;
    const app = new Koa();
    app.use(jsonBody);
    app.use(koaHexarch({ guardian, secret: SECRET }));
    app.use((ctx) => void (ctx.body = { ran: ++runs }));
    const handle = app.callback();
    return { send: await listening((req, res) => void handle(req, res)), runs: () => runs };
  },
  next: async (guardian) => {
    let runs = 0;
    const route = withHexarch(async () => Response.json({ ran: ++runs }), { guardian, secret: SECRET });
    const send = async (request: ContractRequest): Promise<ContractResponse> =>
      toContract(await route(toRequest(request), { params: Promise.resolve({}) }));
    return { send, runs: () => runs };
  },
};

describe.each(Object.keys(apps))("a scripted agent against %s", (name) => {
  it(`never reaches the handler in ${RETRIES} retries before a person approves; after one approval, exactly once`, async () => {
    const guardian = createGuardian({ policyText: POLICY });
    const target = await (apps[name] as (g: Guardian) => Promise<Target>)(guardian);
    const before = await retryAgent(target.send, DROP, RETRIES);
    expect(target.runs()).toBe(0);
    expect(before.statuses).toEqual({ 428: RETRIES });
    const body = before.last.body as { approval: { id: string; status: string; url: string }; confirm?: unknown };
    expect(body.approval.status).toBe("pending");
    expect(before.last.headers["hexarch-approval"]).toBe(body.approval.id);
    // The caller is shown the page, never the notification's link key that would let it decide.
    expect(body.approval.url).toBe(`https://guard.example.com/approvals/${body.approval.id}`);
    expect(await guardian.approvals.list()).toHaveLength(1);

    await guardian.approvals.approve(body.approval.id, { by: "ada" });
    const after = await retryAgent(target.send, { ...DROP, headers: { "hexarch-approval": body.approval.id } }, RETRIES);
    expect(target.runs()).toBe(1);
    expect(after.statuses[428]).toBe(RETRIES - 1);
    await guardian.close();
  }, 180_000);
});

describe(`a scripted agent against protect(), ${RETRIES} retries`, () => {
  it("never runs the function before a person approves; after one approval, exactly once", async () => {
    const guardian = createGuardian({ policyText: POLICY });
    let runs = 0;
    let context: { operation: string; resource: string; approval?: string; confirm?: boolean } = { operation: "delete", resource: "users" };
    const attempt = async (): Promise<PolicyViolation | undefined> => {
      try {
        await guardian.protect("prod_delete", () => ++runs, { context })();
        return undefined;
      } catch (error) {
        if (!(error instanceof PolicyViolation)) throw error;
        // Whatever it got goes back: the id, and a confirmation for good measure.
        context = { ...context, confirm: true, ...(error.approval === undefined ? {} : { approval: error.approval.id }) };
        return error;
      }
    };
    let first: PolicyViolation | undefined;
    for (let i = 0; i < RETRIES; i++) first ??= await attempt();
    for (let i = 0; i < RETRIES; i++) await attempt();
    expect(runs).toBe(0);
    await guardian.approvals.approve(first?.approval?.id ?? "", { by: "ada" });
    for (let i = 0; i < RETRIES; i++) await attempt();
    expect(runs).toBe(1);
    await guardian.close();
  }, 60_000);
});
