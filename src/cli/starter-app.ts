// The app `hexarch init` prints for a setup: what to install, the file to paste, how to start it and try it.
import type { ProjectSetup } from "./project-setup.js";

/** A runnable app protected by the starter policies, for one setup. */
export interface StarterApp {
  /** The npm commands that install what the file imports and the app does not have yet. */
  readonly install: readonly string[];
  /** Where to save the code, relative to the project folder. */
  readonly file: string;
  /** The file's lines, without blank lines, so a paste of the printed block is the whole file. */
  readonly code: readonly string[];
  /** The command that starts the app on port 3000 (or PORT). */
  readonly start: string;
  /** The URL a DELETE is answered 428 at, and 101 GETs in a minute are answered 429 at. */
  readonly url: string;
}

const BODY_FIRST = "// before hexarch(): confirmation tokens are bound to the body";
const EVERY_POLICY = "// every policy in hexarch.yaml that matches the request";
const PORT = "Number(process.env.PORT ?? 3000)";

function imports(setup: ProjectSetup, lines: ReadonlyArray<readonly [binding: string, from: string]>): string[] {
  const esm = setup.typescript || setup.module === "esm";
  return lines.map(([binding, from]) => (esm ? `import ${binding} from "${from}";` : `const ${binding} = require("${from}");`));
}

function expressApp(setup: ProjectSetup): string[] {
  return [
    ...imports(setup, [
      ["express", "express"],
      ["{ hexarch }", "hexarch-guardrails/express"],
    ]),
    "const app = express();",
    `app.use(express.json());           ${BODY_FIRST}`,
    `app.use(hexarch());                ${EVERY_POLICY}`,
    'app.get("/items/:id", (req, res) => { res.json({ id: req.params.id }); });',
    'app.delete("/items/:id", (req, res) => { res.json({ deleted: req.params.id }); });',
    `app.listen(${PORT});`,
  ];
}

function koaApp(setup: ProjectSetup): string[] {
  return [
    ...imports(setup, [
      ["Koa", "koa"],
      ["{ bodyParser }", "@koa/bodyparser"],
      ["{ hexarch }", "hexarch-guardrails/koa"],
    ]),
    "const app = new Koa();",
    `app.use(bodyParser());             ${BODY_FIRST}`,
    `app.use(hexarch());                ${EVERY_POLICY}`,
    "app.use((ctx) => { ctx.body = { method: ctx.method, path: ctx.path }; }); // your routes (@koa/router) go here",
    `app.listen(${PORT});`,
  ];
}

function nextRoute(setup: ProjectSetup): string[] {
  // Next 16 refuses `import`/`export` in a route.js of a CommonJS package ("type": "commonjs", as `npm init -y` writes).
  const esm = setup.typescript || setup.module === "esm";
  const handler = (method: string, body: string) =>
    `${esm ? `export const ${method}` : `exports.${method}`} = withHexarch(() => Response.json(${body}));`;
  return [
    ...imports(setup, [["{ withHexarch }", "hexarch-guardrails/next"]]),
    "// Behind a proxy, give withHexarch(handler, { trustProxy: 1 }) so each client counts on its own.",
    handler("GET", "{ ok: true }"),
    handler("DELETE", "{ deleted: true }"),
  ];
}

/**
 * The app to paste for `setup`: an Express or Koa server with its body parser before `hexarch()`, or a Next.js
 * route file, in the setup's module syntax (TypeScript files always use `import`).
 * @example starterApp({ framework: "koa", module: "cjs", typescript: false, reasons: [], has: () => false }).file // "server.js"
 */
export function starterApp(setup: ProjectSetup): StarterApp {
  const extension = setup.typescript ? "ts" : "js";
  if (setup.framework === "next") {
    return {
      install: installLines(setup, ["hexarch-guardrails"], []),
      file: `app/items/[id]/route.${extension}`,
      code: nextRoute(setup),
      start: "npx next dev",
      url: "http://localhost:3000/items/7",
    };
  }
  const koa = setup.framework === "koa";
  const peers = koa ? ["koa", "@koa/bodyparser"] : ["express"];
  const typesAndRunner = !setup.typescript ? [] : koa ? ["tsx", "@types/koa"] : ["tsx", "@types/express"];
  return {
    install: installLines(setup, ["hexarch-guardrails", ...peers], typesAndRunner),
    file: `server.${extension}`,
    code: koa ? koaApp(setup) : expressApp(setup),
    start: setup.typescript ? `npx tsx server.ts` : "node server.js",
    url: "http://localhost:3000/items/7",
  };
}

/** `npm install` lines for the packages the app does not have yet: none when it has them all. */
function installLines(setup: ProjectSetup, packages: readonly string[], devPackages: readonly string[]): string[] {
  const missing = packages.filter((name) => !setup.has(name));
  const missingDev = devPackages.filter((name) => !setup.has(name));
  return [
    ...(missing.length > 0 ? [`npm install ${missing.join(" ")}`] : []),
    ...(missingDev.length > 0 ? [`npm install -D ${missingDev.join(" ")}`] : []),
  ];
}
