// Builds ESM and CommonJS bundles with type declarations for every public entry point, and the hexarch executable.
import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts", express: "src/adapters/express.ts", koa: "src/adapters/koa.ts", fetch: "src/adapters/fetch.ts", next: "src/adapters/next.ts", "next-edge": "src/adapters/next/edge.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: ["!cli.js", "!cli.js.map"], // the executable below is built alongside
    target: "node20",
    splitting: true,
    treeshake: true,
  },
  {
    // The `hexarch` executable (package.json "bin"): one ESM file with a shebang; tsup marks it executable.
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    banner: { js: "#!/usr/bin/env node" },
    dts: false,
    sourcemap: true,
    clean: false,
    target: "node20",
    splitting: false,
    treeshake: true,
  },
]);
