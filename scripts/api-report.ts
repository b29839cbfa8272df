// The public API of each entry point as a file in the repository (api/<entry>.api.md, by API Extractor from dist's types).
// `npm run api:check` (after a build) fails when an export changed without its report; `npm run api:update` rewrites them.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Extractor, ExtractorConfig, ExtractorLogLevel, type IConfigFile } from "@microsoft/api-extractor";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Each entry point users import (package.json "exports"), by the name of its declaration bundle in dist/. */
const ENTRIES = ["index", "express", "koa", "fetch", "next", "mcp"] as const;
const REPORTS = join(ROOT, "api");
const update = process.argv.includes("--update");

function configFor(entry: string): IConfigFile {
  return {
    projectFolder: ROOT,
    mainEntryPointFilePath: join(ROOT, "dist", `${entry}.d.ts`),
    compiler: {
      overrideTsconfig: {
        compilerOptions: { strict: true, skipLibCheck: true, types: ["node"] },
        files: [join(ROOT, "dist", `${entry}.d.ts`)],
      },
    },
    apiReport: {
      enabled: true,
      reportFileName: `${entry}.api.md`,
      reportFolder: REPORTS,
      reportTempFolder: join(ROOT, "node_modules/.api-report"),
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      // The report is the point here; documentation style is linted elsewhere.
      extractorMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
    },
  };
}

mkdirSync(REPORTS, { recursive: true });
const changed: string[] = [];
for (const entry of ENTRIES) {
  const config = ExtractorConfig.prepare({
    configObject: configFor(entry),
    configObjectFullPath: undefined,
    packageJsonFullPath: join(ROOT, "package.json"),
  });
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
  if (result.apiReportChanged && !update) changed.push(entry);
  if (result.errorCount > 0) changed.push(`${entry} (${result.errorCount} errors)`);
}
if (changed.length > 0) {
  console.error(`the public API changed in: ${changed.join(", ")}; review the diff, then run npm run api:update and commit api/`);
  process.exit(1);
}
console.log(update ? `wrote api/*.api.md for ${ENTRIES.join(", ")}` : `the public API matches api/*.api.md (${ENTRIES.join(", ")})`);
