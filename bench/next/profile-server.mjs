// The bench app served by Next's own request handler on node:http in this process, so that `node --cpu-prof` sees
// its route handlers run (`next start` runs them in a child process that the profiler's flags do not reach).
// Prints `PORT <n>` once listening; the app must have been built (`next build`) first. Plain JavaScript, as the
// routes are: type-checking an import of "next" would bring in Next's global types, which narrow process.env.
import http from "node:http";
import { fileURLToPath } from "node:url";
import next from "next";

const dir = fileURLToPath(new URL(".", import.meta.url));
process.chdir(dir); // as `next start` runs, so the app's hexarch.yaml is found
const app = next({ dev: false, dir });
await app.prepare();
const handle = app.getRequestHandler();
const server = http.createServer((req, res) => void handle(req, res));
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`PORT ${typeof address === "object" && address !== null ? address.port : 0}`);
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
