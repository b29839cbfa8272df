// What the server attack suites share: keys made straight in a test server's keys file, and raw HTTP with any target and header.
import net from "node:net";
import { join } from "node:path";
import { createKey, revokeKey, type Scope } from "../../../src/server/api-keys.js";
import type { TestServer } from "../../server/serve-support.js";

/** `Authorization: Bearer <key>`. */
export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/** Creates a key in the server's keys file and has the server read it now; the `hxk_…` text. */
export function keyFor(t: TestServer, name: string, ...scopes: Scope[]): string {
  const { key } = createKey(join(t.dir, "hexarch.keys.json"), name, scopes);
  t.server.reload();
  return key;
}

/** Revokes a key by name and has the server read the file now. */
export function revoke(t: TestServer, name: string): void {
  if (!revokeKey(join(t.dir, "hexarch.keys.json"), name)) throw new Error(`no active key named ${name}`);
  t.server.reload();
}

/** One raw answer: the status line's code and the body text. */
export interface RawAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * Sends one request exactly as written (no URL normalisation, any header spelling) and reads the answer to its end.
 * @example await sendRaw(t.server.url, "GET", "//metrics", { "x-api-key": key })
 */
export function sendRaw(url: string, method: string, target: string, headers: Record<string, string> = {}, body = ""): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const lines = [`${method} ${target} HTTP/1.1`, "Connection: close"];
  if (!Object.keys(headers).some((name) => name.toLowerCase() === "host")) lines.push(`Host: ${hostname}:${port}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== "") lines.push("Content-Type: application/json", `Content-Length: ${Buffer.byteLength(body)}`);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
  });
}
