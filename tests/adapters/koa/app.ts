// Builds small real Koa 3 apps around hexarch for the adapter tests, with a minimal JSON body parser.
import Koa, { type Middleware } from "koa";

export { guardianFor, perMinute, QUICK_START, SECRET } from "../express/app.js";
export { configErrorOf } from "../next/route.js";

async function readText(req: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses JSON request bodies into `ctx.request.body`, as @koa/bodyparser would. */
export const jsonBody: Middleware = async (ctx, next) => {
  if (typeof ctx.is("application/json") === "string") {
    const text = await readText(ctx.req);
    (ctx.request as { body?: unknown }).body = text === "" ? undefined : (JSON.parse(text) as unknown);
  }
  await next();
};

/** A Koa app that parses JSON, applies `middleware`, and counts handler runs. */
export function koaAppWith(middleware: Middleware, configure?: (app: Koa) => void): { app: Koa; handled: () => number } {
  const app = new Koa();
  configure?.(app);
  app.use(jsonBody);
  app.use(middleware);
  let runs = 0;
  app.use((ctx) => {
    runs++;
    ctx.body = { ok: true };
  });
  return { app, handled: () => runs };
}
