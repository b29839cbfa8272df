// A log witness over HTTP for tests: keeps the latest head per log name and chain from each POST, answers GET ?name= with them.
import { createServer, type Server } from "node:http";

/** A running test witness: its URL, the heads it holds, and a switch that makes it refuse writes (down). */
export interface TestWitness {
  readonly url: string;
  /** log name → chain → the latest head posted. */
  readonly held: Map<string, Map<string, { seq: number }>>;
  /** POSTs received, accepted or not. */
  readonly posts: number;
  /** While true, every request is answered 503. */
  down: boolean;
  close(): Promise<void>;
}

/** Starts a witness on a free loopback port. */
export async function startHttpWitness(): Promise<TestWitness> {
  const held = new Map<string, Map<string, { seq: number }>>();
  const state = { posts: 0, down: false };
  const server: Server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8").on("data", (chunk: string) => void (body += chunk));
    request.on("end", () => {
      if (request.method === "POST") state.posts += 1;
      if (state.down) return void response.writeHead(503).end();
      if (request.method === "GET") {
        const name = new URL(request.url ?? "/", "http://witness").searchParams.get("name") ?? "";
        return void response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify([...(held.get(name)?.values() ?? [])]));
      }
      const { name, head } = JSON.parse(body) as { name: string; head: { chain: string; seq: number } };
      let chains = held.get(name);
      if (chains === undefined) held.set(name, (chains = new Map()));
      if ((chains.get(head.chain)?.seq ?? -1) < head.seq) chains.set(head.chain, head);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/heads`,
    held,
    get posts() {
      return state.posts;
    },
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
