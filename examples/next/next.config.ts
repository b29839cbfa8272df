// Next.js settings of the example: the repository is the workspace root, so the package's source can be compiled in.
import type { NextConfig } from "next";
import { fileURLToPath } from "node:url";

const repository = fileURLToPath(new URL("../..", import.meta.url));

const config: NextConfig = {
  turbopack: { root: repository },
  outputFileTracingRoot: repository,
  poweredByHeader: false,
};

export default config;
