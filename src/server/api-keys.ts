// API keys: `hxk_…` keys shown once, stored only as SHA-256 hashes with scopes in a keys file beside the policy file.
import { hash, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { PolicyConfigError } from "../errors/config-error.js";

/**
 * What a key may do: `decide` (decisions, settle, events, explain, policies), `approve` (list, approve and deny approval
 * requests: a person's key, never an app's), `view` (read the budgets page, nothing else) or `admin` (all of it, the log and metrics too).
 */
export type Scope = "decide" | "approve" | "view" | "admin";

/** The scopes a key can be given. */
export const SCOPES: readonly Scope[] = ["decide", "approve", "view", "admin"];

/** Name of the keys file, in the policy file's folder. */
export const KEYS_FILE_NAME = "hexarch.keys.json";

const StoredKeySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]{8}$/),
  name: z.string().min(1).max(128),
  scopes: z.array(z.enum(["decide", "approve", "view", "admin"])).min(1),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

const KeysFileSchema = z.strictObject({ version: z.literal(1), keys: z.array(StoredKeySchema) });

/** One key as stored: never the key itself. */
export type StoredKey = z.infer<typeof StoredKeySchema>;

/**
 * The keys file for a policy file: `hexarch.keys.json` in the same folder.
 * @example keysFileFor("/srv/hexarch.yaml") // "/srv/hexarch.keys.json"
 */
export function keysFileFor(policyPath: string): string {
  return join(dirname(policyPath), KEYS_FILE_NAME);
}

/** SHA-256 of a key, one-shot: every authenticated request hashes its token, and `hash` skips the Hash object `createHash` builds. */
function digest(key: string): Buffer {
  return hash("sha256", key, "buffer");
}

/**
 * Reads a keys file; a missing file holds no keys. A broken one throws PolicyConfigError naming the file and key path.
 * @example readKeys("hexarch.keys.json").filter((k) => k.revoked_at === null)
 */
export function readKeys(path: string): StoredKey[] {
  if (!existsSync(path)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new PolicyConfigError([
      {
        file: path,
        path: "",
        message: `not JSON: ${(error as Error).message}`,
        fix: "restore the file, or delete it and create the keys again",
      },
    ]);
  }
  const result = KeysFileSchema.safeParse(parsed);
  if (result.success) return result.data.keys;
  throw new PolicyConfigError(
    result.error.issues.map((issue) => ({
      file: path,
      path: issue.path.join("."),
      message: issue.message,
      fix: "edit keys only with `hexarch keys`",
    })),
  );
}

/** Writes the keys file whole, readable by its owner only, replacing it in one rename. */
export function writeKeys(path: string, keys: readonly StoredKey[]): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ version: 1, keys }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/**
 * Creates a key: returns the `hxk_…` text (shown once) and writes only its hash.
 * @example const { key } = createKey("hexarch.keys.json", "ci", ["decide"]); // hxk_3k9…
 */
export function createKey(
  path: string,
  name: string,
  scopes: readonly Scope[],
  now: Date = new Date(),
): { key: string; stored: StoredKey } {
  const keys = readKeys(path);
  let id: string;
  do id = randomBytes(5).toString("hex").slice(0, 8);
  while (keys.some((k) => k.id === id));
  const key = `hxk_${id}_${randomBytes(32).toString("base64url")}`;
  const stored: StoredKey = {
    id,
    name,
    scopes: [...new Set(scopes)],
    hash: `sha256:${digest(key).toString("hex")}`,
    created_at: now.toISOString(),
    last_used_at: null,
    revoked_at: null,
  };
  writeKeys(path, [...keys, stored]);
  return { key, stored };
}

/**
 * Revokes a key by id or name; false when no unrevoked key has it.
 * @example revokeKey("hexarch.keys.json", "ci")
 */
export function revokeKey(path: string, idOrName: string, now: Date = new Date()): boolean {
  const keys = readKeys(path);
  let found = false;
  const next = keys.map((k) => {
    if (k.revoked_at !== null || (k.id !== idOrName && k.name !== idOrName)) return k;
    found = true;
    return { ...k, revoked_at: now.toISOString() };
  });
  if (found) writeKeys(path, next);
  return found;
}

/** Who is calling: a key's id and name and what it may do. */
export interface Caller {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
}

const KEY_SHAPE = /^hxk_([a-z0-9]{8})_[A-Za-z0-9_-]{43}$/;

/** The dev token's caller: every scope but approve. */
const DEV_CALLER: Caller = Object.freeze({ id: "dev-token", name: "dev token", scopes: Object.freeze(["decide", "admin"] as const) });
/** Bytes a token is compared in: longer tokens (keys are 56 bytes) are always checked by their hash. */
const TOKEN_WIDTH = 256;

/**
 * A text's UTF-8 bytes written into one buffer of fixed width, after their length, the rest zero: two texts give equal
 * buffers only when they are equal, and comparing two takes the same time whatever they hold. The buffer is reused
 * by the next call.
 */
class FixedWidthText {
  readonly #buffer: Buffer;

  constructor(width: number) {
    this.#buffer = Buffer.alloc(width);
  }

  /** The text's bytes at fixed width, or undefined when they do not fit. */
  of(text: string): Buffer | undefined {
    // Three bytes per UTF-16 unit at most; a text that might not fit is measured.
    if (text.length * 3 > this.#buffer.length - 2 && Buffer.byteLength(text) > this.#buffer.length - 2) return undefined;
    this.#buffer.fill(0);
    const written = this.#buffer.write(text, 2, "utf8");
    this.#buffer.writeUInt16BE(written, 0);
    return this.#buffer;
  }
}

/**
 * Checks presented keys against the stored hashes (and the dev token) in constant time per candidate.
 * @example const caller = new KeyRing(readKeys(path), "dev-token").identify(bearer);
 */
export class KeyRing {
  readonly #byId: Map<string, StoredKey & { readonly digest: Buffer }>;
  readonly #devToken: Buffer | undefined;
  readonly #devTokenBytes: Buffer | undefined;
  readonly #tokenBytes = new FixedWidthText(TOKEN_WIDTH);
  /** The bytes of each key's token once it verified against its hash, with its caller: gone with the ring when the keys file changes. */
  readonly #verified = new Map<string, { readonly bytes: Buffer; readonly caller: Caller }>();
  /** Last use per key id, not yet written back to the keys file (shared by the rings a server builds as the file changes). */
  readonly lastUsed: Map<string, number>;

  constructor(keys: readonly StoredKey[], devToken: string | undefined, lastUsed: Map<string, number> = new Map()) {
    this.lastUsed = lastUsed;
    this.#byId = new Map(
      keys.filter((k) => k.revoked_at === null).map((k) => [k.id, { ...k, digest: Buffer.from(k.hash.slice(7), "hex") }]),
    );
    this.#devToken = devToken === undefined || devToken === "" ? undefined : digest(devToken);
    const devBytes = devToken === undefined || devToken === "" ? undefined : this.#tokenBytes.of(devToken);
    this.#devTokenBytes = devBytes === undefined ? undefined : Buffer.from(devBytes);
  }

  /** True when any key or a dev token is configured (KeyAccess.required says whether the server needs one). */
  get required(): boolean {
    return this.#byId.size > 0 || this.#devToken !== undefined;
  }

  /** The caller a bearer token names, or undefined for a wrong, revoked or malformed one. */
  identify(token: string, now: number = Date.now()): Caller | undefined {
    const bytes = this.#tokenBytes.of(token);
    const id = KEY_SHAPE.exec(token)?.[1];
    const known = bytes === undefined ? undefined : this.#recognized(bytes, id);
    if (known !== undefined) {
      if (known !== DEV_CALLER) this.lastUsed.set(known.id, now);
      return known;
    }
    const presented = digest(token);
    if (this.#devToken !== undefined && timingSafeEqual(presented, this.#devToken)) return DEV_CALLER;
    const stored = id === undefined ? undefined : this.#byId.get(id);
    if (stored === undefined || !timingSafeEqual(presented, stored.digest)) return undefined;
    this.lastUsed.set(stored.id, now);
    const caller: Caller = { id: stored.id, name: stored.name, scopes: stored.scopes };
    // The fixed-width buffer still holds this token's bytes: nothing wrote to it since.
    if (bytes !== undefined) this.#verified.set(stored.id, { bytes: Buffer.from(bytes), caller });
    return caller;
  }

  /**
   * The caller of a token met before (the dev token, or a key that verified since this ring was read), found by
   * comparing its bytes (at fixed width) in constant time with the one its key id names: a key's id is its public
   * part, so at most two comparisons, and hashing the token is left for the first use and for wrong tokens. Hashing
   * every request's token was the largest single cost of an authenticated decision: 5.2 µs of 166 in a CPU profile of
   * `POST /v1/decisions`.
   */
  #recognized(bytes: Buffer, id: string | undefined): Caller | undefined {
    if (this.#devTokenBytes !== undefined && timingSafeEqual(bytes, this.#devTokenBytes)) return DEV_CALLER;
    const verified = id === undefined ? undefined : this.#verified.get(id);
    return verified !== undefined && timingSafeEqual(bytes, verified.bytes) ? verified.caller : undefined;
  }

  /** The caller of a key id still in force (a sign-in session names its key by id), or undefined once revoked. */
  callerById(id: string): Caller | undefined {
    if (id === "dev-token") return this.#devToken === undefined ? undefined : { id, name: "dev token", scopes: SCOPES };
    const stored = this.#byId.get(id);
    return stored === undefined ? undefined : { id: stored.id, name: stored.name, scopes: stored.scopes };
  }
}

/**
 * The keys a running server checks, and whether it is closed. A server is open (no key needed) only while it is the
 * loopback default it was started as: no keys, no dev token. Once it has been closed (started with keys, a token or
 * on another address, or given a key since), it stays closed whatever becomes of the keys file: revoking the last key
 * or deleting the file leaves a server that admits no one, never one that admits everyone.
 * @example const access = new KeyAccess(ring, !loopback); access.replace(new KeyRing(readKeys(path), token)); access.required
 */
export class KeyAccess {
  #ring: KeyRing;
  #closed: boolean;

  constructor(ring: KeyRing, closed: boolean) {
    this.#ring = ring;
    this.#closed = closed || ring.required;
  }

  /** The keys in force. */
  get current(): KeyRing {
    return this.#ring;
  }

  /** Puts the keys read from the file again in force; a ring with keys closes the server for good. */
  replace(ring: KeyRing): void {
    this.#ring = ring;
    if (ring.required) this.#closed = true;
  }

  /** True when every API call needs a key: always, once the server has been closed. */
  get required(): boolean {
    return this.#closed;
  }
}

/**
 * Writes last-used times into the keys file, keeping whatever else changed there meanwhile (a revocation).
 * @example recordLastUse("hexarch.keys.json", ring.lastUsed)
 */
export function recordLastUse(path: string, lastUsed: ReadonlyMap<string, number>): void {
  if (lastUsed.size === 0 || !existsSync(path)) return;
  const keys = readKeys(path).map((k) => {
    const at = lastUsed.get(k.id);
    return at === undefined ? k : { ...k, last_used_at: new Date(at).toISOString() };
  });
  writeKeys(path, keys);
}
