// Next.js settings of the bench app: the repository is the workspace root, so the package built into .tmp/ is compiled in.
import { fileURLToPath } from "node:url";

const repository = fileURLToPath(new URL("../..", import.meta.url));

/** @type {import("next").NextConfig} */
const config = {
  turbopack: { root: repository },
  outputFileTracingRoot: repository,
  poweredByHeader: false,
};

export default config;
