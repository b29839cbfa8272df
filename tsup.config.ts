// Builds ESM and CommonJS bundles with type declarations for every public entry point, and the hexarch executable.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { defineConfig, type Options } from "tsup";

const ENTRIES = {
  index: "src/index.ts",
  express: "src/adapters/express.ts",
  koa: "src/adapters/koa.ts",
  fetch: "src/adapters/fetch.ts",
  next: "src/adapters/next.ts",
  "next-edge": "src/adapters/next/edge.ts",
  mcp: "src/adapters/mcp.ts",
};

/**
 * The framework-locals declarations that express.d.ts and express.d.cts (koa likewise) both re-export: kept external
 * to the declaration bundles and written once beside them, so a program loading the ESM and the CommonJS types
 * declares `hexarch` once (no TS2717). The bundles name them as in src/ (`./adapters/express-locals.js`), so the
 * copies go to dist/adapters/, their imports of the adapter one folder up.
 */
const SHARED_DECLARATIONS = ["src/adapters/express-locals.d.ts", "src/adapters/koa-locals.d.ts"];

const shareDeclarations: NonNullable<Options["esbuildPlugins"]>[number] = {
  name: "hexarch-shared-declarations",
  setup(build) {
    build.onEnd(() => {
      const folder = join(build.initialOptions.outdir ?? "dist", "adapters");
      mkdirSync(folder, { recursive: true }); // tsup writes esbuild's output after this hook
      for (const file of SHARED_DECLARATIONS)
        writeFileSync(join(folder, basename(file)), readFileSync(file, "utf8").replaceAll('from "./', 'from "../'));
    });
  },
};

// No `clean`: two builds write one folder (tsup would clear each other's declarations); `npm run build` empties it first.
const COMMON: Options = { target: "node20", sourcemap: false, treeshake: true, splitting: true, clean: false, external: [/-locals\.js$/] };

export default defineConfig([
  {
    // ESM, with the `hexarch` executable (package.json "bin") in the same build, so it shares the engine's chunks
    // instead of bundling a second copy. Its shebang comes from src/cli/main.ts; tsup marks it executable.
    ...COMMON,
    entry: { ...ENTRIES, cli: "src/cli/main.ts" },
    format: ["esm"],
    dts: { entry: ENTRIES },
    esbuildPlugins: [shareDeclarations],
  },
  {
    ...COMMON,
    entry: ENTRIES,
    format: ["cjs"],
    dts: { entry: ENTRIES },
  },
]);
