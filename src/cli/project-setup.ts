// What `hexarch init` finds about the app it runs in: module system, TypeScript, and the framework installed.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The frameworks `hexarch init` prints lines for. */
export const FRAMEWORKS = ["express", "koa", "next"] as const;
/** One of FRAMEWORKS. */
export type Framework = (typeof FRAMEWORKS)[number];

/** How the app's JavaScript files are loaded: `import` (ESM) or `require()` (CommonJS). */
export type ModuleSystem = "esm" | "cjs";

/** The setup `hexarch init` prints lines for, and why it chose each part. */
export interface ProjectSetup {
  readonly framework: Framework;
  readonly module: ModuleSystem;
  readonly typescript: boolean;
  /** One phrase per choice, e.g. `Express (in package.json)`, for the line that says what was detected. */
  readonly reasons: readonly string[];
  /** Whether the app already has a package (declared in package.json, or in node_modules), so init need not install it. */
  readonly has: (name: string) => boolean;
}

/** What the command line says, overriding detection. */
export interface SetupOverrides {
  readonly framework?: Framework;
  readonly module?: ModuleSystem;
}

interface Manifest {
  readonly folder: string;
  readonly type?: unknown;
  readonly dependencies?: Record<string, unknown>;
  readonly devDependencies?: Record<string, unknown>;
}

const LABEL: Record<Framework, string> = { express: "Express", koa: "Koa", next: "Next.js" };

/** The nearest package.json from `cwd` up, or undefined when there is none (or it cannot be read). */
function nearestManifest(cwd: string): Manifest | undefined {
  for (let folder = cwd; ; folder = dirname(folder)) {
    const path = join(folder, "package.json");
    if (existsSync(path)) {
      try {
        return { ...(JSON.parse(readFileSync(path, "utf8")) as object), folder };
      } catch {
        return undefined;
      }
    }
    if (dirname(folder) === folder) return undefined;
  }
}

function declares(manifest: Manifest | undefined, name: string): boolean {
  return (
    manifest !== undefined && (Object.hasOwn(manifest.dependencies ?? {}, name) || Object.hasOwn(manifest.devDependencies ?? {}, name))
  );
}

function installed(manifest: Manifest | undefined, cwd: string, name: string): boolean {
  return declares(manifest, name) || existsSync(join(manifest?.folder ?? cwd, "node_modules", name, "package.json"));
}

/**
 * Looks at the app in `cwd`: Next.js wins over Koa over Express (a Next app may also carry Express for a custom
 * server); with none installed, Express. `"type": "module"` in the nearest package.json means ESM, anything else
 * (no package.json included: npm would create one without it) CommonJS. TypeScript: a tsconfig.json beside that
 * package.json, or `typescript` among its dependencies. `overrides` win over what is found.
 * @example detectSetup(process.cwd(), {}) // { framework: "express", module: "cjs", typescript: false, reasons: [...], has }
 */
export function detectSetup(cwd: string, overrides: SetupOverrides): ProjectSetup {
  const manifest = nearestManifest(cwd);
  const reasons: string[] = [];
  const found = FRAMEWORKS.slice()
    .reverse()
    .find((name) => installed(manifest, cwd, name));
  const framework = overrides.framework ?? found ?? "express";
  if (overrides.framework !== undefined) reasons.push(`${LABEL[framework]} (--framework)`);
  else reasons.push(found === undefined ? "Express (no framework installed yet)" : `${LABEL[framework]} (installed)`);

  const module: ModuleSystem = overrides.module ?? (manifest?.type === "module" ? "esm" : "cjs");
  if (overrides.module !== undefined) reasons.push(`${module === "esm" ? "ESM" : "CommonJS"} (--${module})`);
  else if (manifest === undefined) reasons.push("CommonJS (no package.json)");
  else reasons.push(module === "esm" ? 'ESM ("type": "module")' : 'CommonJS (no "type": "module")');

  const typescript = declares(manifest, "typescript") || existsSync(join(manifest?.folder ?? cwd, "tsconfig.json"));
  if (typescript) reasons.push("TypeScript");
  return { framework, module, typescript, reasons, has: (name) => installed(manifest, cwd, name) };
}
