// Pins which layer of src/ may import which (ARCHITECTURE.md draws the picture): a wrong-way import fails here.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** Every .ts file under src/, as a path relative to src/ with forward slashes. */
function sourceFiles(folder = SRC): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [relative(SRC, path).split("\\").join("/")] : [];
  });
}

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)|(?:^|\n)\s*import\s+"([^"]+)"/g;

/** The files under src/ (relative to src/) and the packages a file imports, statically or dynamically. */
function importsOf(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(join(SRC, file), "utf8").replace(/^\s*(?:\/\/|\*).*$/gm, "");
  const local: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = (match[1] ?? match[2] ?? match[3]) as string;
    if (!specifier.startsWith(".")) packages.push(specifier);
    else
      local.push(
        relative(SRC, resolve(SRC, dirname(file), specifier))
          .split("\\")
          .join("/")
          .replace(/\.js$/, ".ts"),
      );
  }
  return { local, packages };
}

/**
 * The layer a src/ file belongs to: its first folder, or the file itself at the top; `adapters/core` (the one core
 * every adapter plugs into) is a layer apart from the framework translations around it in `adapters`.
 */
const layerOf = (file: string): string =>
  file.startsWith("adapters/core/") ? "adapters/core" : file.includes("/") ? (file.split("/")[0] as string) : file;

/**
 * What each layer may import from src/, besides itself. A file named here (not a folder) is allowed alone:
 * `stores/store.ts` is the store contract, `adapters/core/index.ts` the adapter core's entry.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  errors: [],
  engine: ["errors", "stores/store.ts"],
  stores: ["errors", "optional-peer.ts"],
  log: ["errors", "engine", "stores/store.ts", "optional-peer.ts"],
  guardian: ["errors", "engine", "stores", "log", "observe", "notify", "optional-peer.ts"],
  observe: ["errors", "engine", "stores/store.ts", "log", "notify", "optional-peer.ts", "package-version.ts"],
  notify: ["errors"],
  "adapters/core": ["errors", "engine", "guardian", "stores/store.ts"],
  adapters: ["adapters/core", "errors", "engine", "guardian", "stores/store.ts"],
  server: ["errors", "engine", "guardian", "log", "stores", "notify", "adapters/core/index.ts", "package-version.ts", "optional-peer.ts"],
  cli: ["index.ts", "engine", "guardian", "log", "notify", "server", "adapters/core/index.ts", "package-version.ts"],
  "index.ts": ["errors", "engine", "guardian", "stores", "notify", "observe"],
  "optional-peer.ts": [],
  "package-version.ts": [],
};

const FRAMEWORKS = ["express", "koa", "next", "ioredis", "pg"];

/** A layer not in ALLOWED (a new top-level folder) is not checked until a line for it is added there. */
function allowed(from: string, to: string): boolean {
  const layer = layerOf(from);
  const entries = ALLOWED[layer];
  if (entries === undefined || layerOf(to) === layer) return true;
  return entries.some((entry) => (entry.endsWith(".ts") ? to === entry : layerOf(to) === entry));
}

describe("import directions in src/", () => {
  const files = sourceFiles();

  it("finds the layers it pins (a renamed folder must be renamed here too)", () => {
    const layers = new Set(files.map(layerOf));
    for (const layer of Object.keys(ALLOWED)) expect(layers, layer).toContain(layer);
  });

  it("reads imports the way the checks below assume", () => {
    expect(importsOf("guardian/create-guardian.ts").local).toContain("engine/engine.ts");
    expect(importsOf("stores/redis.ts").packages).toContain("rate-limiter-flexible");
  });

  it("imports only in the allowed directions: errors is a leaf, the engine knows the store contract, stores know no engine, the adapter core knows no framework adapter", () => {
    const wrong = files.flatMap((file) =>
      importsOf(file)
        .local.filter((to) => !allowed(file, to))
        .map((to) => `${file} -> ${to}`),
    );
    expect(wrong).toEqual([]);
  });

  it("keeps frameworks, ioredis and pg out of the engine and the errors", () => {
    const wrong = files
      .filter((file) => ["engine", "errors"].includes(layerOf(file)))
      .flatMap((file) =>
        importsOf(file)
          .packages.filter((name) => FRAMEWORKS.some((framework) => name === framework || name.startsWith(`${framework}/`)))
          .map((name) => `${file} -> ${name}`),
      );
    expect(wrong).toEqual([]);
  });
});
