// Where the CLI writes and how it colours: ANSI colour only on a TTY, never with NO_COLOR or TERM=dumb.

/** The part of a stream the CLI needs. */
export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** Width of the terminal in characters, when it is one. */
  readonly columns?: number;
}

/** Colour functions; each returns its text unchanged when colour is off. */
export interface Palette {
  readonly enabled: boolean;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;

/**
 * Whether to colour what goes to `sink`: only a terminal, and never when `NO_COLOR` is set to anything
 * non-empty or `TERM` is `dumb`.
 * @example wantsColour(process.stdout, process.env) // false when piped
 */
export function wantsColour(sink: TextSink, env: Readonly<Record<string, string | undefined>>): boolean {
  if (sink.isTTY !== true) return false;
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  return env["TERM"] !== "dumb";
}

/**
 * A palette that colours when `enabled`, and passes text through otherwise.
 * @example createPalette(true).red("denied") // "\u001b[31mdenied\u001b[39m"
 */
export function createPalette(enabled: boolean): Palette {
  const paint = (name: keyof typeof CODES) => {
    const [open, close] = CODES[name];
    return enabled ? (text: string) => `\u001b[${open}m${text}\u001b[${close}m` : (text: string) => text;
  };
  return {
    enabled,
    bold: paint("bold"),
    dim: paint("dim"),
    red: paint("red"),
    green: paint("green"),
    yellow: paint("yellow"),
    cyan: paint("cyan"),
  };
}

/** The CLI's two output streams, each with its own palette, plus the environment and working folder. */
export interface Terminal {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Writes one line (a newline is added) to standard output. */
  out(line?: string): void;
  /** Writes one line to standard error. */
  err(line?: string): void;
  /** Colours for standard output. */
  readonly paint: Palette;
  /** Colours for standard error. */
  readonly paintErr: Palette;
  /** How wide help on standard output may be: the terminal's width, else 80 characters. */
  readonly outWidth: number;
  /** How wide help on standard error may be. */
  readonly errWidth: number;
}

/** Everything a run of the CLI touches outside itself: two streams, the environment and the working folder. */
export interface TerminalParts {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** Help wraps at 80 characters unless `sink` is a terminal that says how wide it is. */
function helpWidth(sink: TextSink): number {
  return (sink.isTTY === true ? sink.columns : undefined) ?? 80;
}

/**
 * A terminal over the given streams, environment and folder; colour follows `wantsColour` for each stream.
 * @example
 * const lines: string[] = [];
 * const sink = { write: (text: string) => lines.push(text) };
 * createTerminal({ stdout: sink, stderr: sink, env: {}, cwd: "/app" }).out("hello"); // lines: ["hello\n"]
 */
export function createTerminal({ stdout, stderr, env, cwd }: TerminalParts): Terminal {
  return {
    cwd,
    env,
    out: (line = "") => void stdout.write(`${line}\n`),
    err: (line = "") => void stderr.write(`${line}\n`),
    paint: createPalette(wantsColour(stdout, env)),
    paintErr: createPalette(wantsColour(stderr, env)),
    outWidth: helpWidth(stdout),
    errWidth: helpWidth(stderr),
  };
}

/**
 * The terminal of this process: process.stdout/stderr, process.env and process.cwd().
 * @example processTerminal().out("hello")
 */
export function processTerminal(): Terminal {
  return createTerminal({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
}
