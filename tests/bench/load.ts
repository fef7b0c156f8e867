/**
 * The load benchmark: N concurrent sessions, each sending 640 bytes every 20 ms and reading the
 * echo, against each target server in turn (the demo's `/ws`, a bare `Deno.upgradeWebSocket`
 * echo with fixed-deadline pacing — the floor — and a pipecat-style FastAPI/uvicorn echo).
 * Reports loss, round-trip p50/p99, server CPU per session-minute, the server's wake-ups a second
 * and server memory, and checks each target against the floor. `deno run -A tests/bench/load.ts
 * --help` lists the options. A client process sends its sessions' audio in bursts (one timer for
 * all of them), so the server reads several messages a wake-up; real far ends each send at moments
 * of their own. What a message costs depends on that: `--clients N` spreads the sessions over N
 * processes, fewer messages a wake-up (see BENCHMARKS.md, "Messages a wake-up").
 * With `--paired`, each target runs at the same time as its own run of the reference, both let go
 * at one moment ({@linkcode StartGate}), and is judged by the ratio within each pair: on a shared
 * machine the neighbours' bursts then fall on both sides alike.
 *
 * The floor is given the same lead as the demo (`--lead-ms`, by default the demo's
 * `sendAheadMs`), so the two are compared like for like. Every server is a child process on
 * 127.0.0.1 port 0 (it prints `listening 127.0.0.1:PORT`); the sessions come from
 * `load_client.ts` child processes, so the server's `/proc/<pid>/stat` CPU is its own. Children
 * are killed when the harness ends, on error or on a signal, and every wait is bounded.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { DEMO_SEND_AHEAD_MS } from "../../examples/demo/handler.ts";
import type { ClientResult } from "./load_client.ts";
import { RampSide } from "./_ramp_side.ts";
import { StartGate } from "./_start_gate.ts";

const HERE = new URL(".", import.meta.url);
const ROOT = new URL("../../", HERE);

/** A server the benchmark can start. */
export interface TargetSpec {
  /** Short name for tables. */
  name: string;
  /** Program and arguments; the process must print `listening HOST:PORT` first. */
  command: [string, ...string[]];
  /** WebSocket path on that server. */
  path: string;
}

/** Debian's python3: the one `apt-get install python3-fastapi` serves (a pyenv one may not). */
const PYTHON = "/usr/bin/python3";

/** The targets {@linkcode knownTarget} knows, in the order `--help` lists them. */
export const TARGET_NAMES: readonly string[] = [
  "demo",
  "push",
  "responses",
  "responses-unacked",
  "push-recording",
  "streams",
  "streams-transform",
  "bare",
  "raw",
  "bare-view",
  "bare-streams",
  "bare-no-ping",
  "bare-marks",
  "push-no-ping",
  "responses-unheard",
  "responses-marks",
  "responses-marks-2s",
  "responses-sparse",
  "push-tick",
  "push-copy",
  "pipecat",
  "parallel",
];

/** Options for {@linkcode knownTarget}. */
export interface KnownTargetOptions {
  /**
   * Extra arguments for the server's command line.
   *
   * @default {[]}
   */
  args?: string[];
  /**
   * How far ahead of its slot the bare floor may send (`bare_echo.ts --ahead-ms`): give it the
   * lead of the target it is compared with. Only `bare` uses it.
   *
   * @default {DEMO_SEND_AHEAD_MS}
   */
  leadMs?: number;
  /**
   * The Python that runs the `pipecat` target.
   *
   * @default {"/usr/bin/python3"}
   */
  python?: string;
}

/**
 * The known targets: `demo` (the demo's handler: streams), `push` (the same echo on the push
 * surface), `responses` (`push` with response ids and marks the client acknowledges: playback
 * tracking in full), `responses-unacked` (the same with no marks: speaking events by the pacing
 * estimate), `push-recording` (`push` with every session recorded as heard), `bare` (the floor:
 * a bare echo paced to `anchor + n × 20 ms`, sending up to `leadMs` early), `pipecat`
 * (pipecat's send path on FastAPI/uvicorn), `parallel` (the demo under `deno serve --parallel`,
 * two workers; CPU and memory summed over its processes), and diagnostics: `raw` (the bare echo
 * with no pacing), `bare-view` (the floor sending a `Uint8Array` view of each message, as the
 * transport does, rather than the `ArrayBuffer`), `bare-streams` (the floor with every message
 * piped through a pair of web streams: what any streams surface costs at the least), and
 * `bare-no-ping` / `push-no-ping` (those two without Deno's keep-alive, `idleTimeout: 0`),
 * `bare-marks` (the floor with `responses`' mark traffic: a `mark:` text after every 35th echo,
 * answered by the client), `responses-unheard` (`responses-unacked` with no speaking listener),
 * `responses-marks` (`responses` with no speaking listener: the marks, their acknowledgements and
 * the timeline, without the events timer a listener keeps), `responses-marks-2s` (the same with the
 * marks spreading to one every 2 s),
 * `responses-sparse` (`responses` with the marks spreading to one every 4 s), `push-tick`
 * (`push` with an empty 10 ms `setInterval` beside it) and `push-copy` (`push` whose echo sends a
 * new frame object per chunk, as the `responses` bot does); `streams` (`push`'s echo through
 * `readable.pipeTo(writable)`) and `streams-transform` (through
 * `readable.pipeThrough(new TransformStream()).pipeTo(writable)`, the README's pattern).
 *
 * @example Looking up the bare echo
 * ```ts
 * import { knownTarget } from "./load.ts";
 * import assert from "node:assert/strict";
 *
 * const target = knownTarget("bare", { args: ["--drop-every=10"], leadMs: 20 });
 * assert.equal(target.path, "/ws");
 * assert.deepEqual(target.command.slice(-2), ["--ahead-ms=20", "--drop-every=10"]);
 * assert.throws(() => knownTarget("nginx"), RangeError);
 * ```
 */
export function knownTarget(name: string, options: KnownTargetOptions = {}): TargetSpec {
  const args = options.args ?? [];
  const leadMs = options.leadMs ?? DEMO_SEND_AHEAD_MS;
  if (!(leadMs >= 0)) throw new RangeError(`leadMs must be >= 0, got ${leadMs}`);
  const file = (f: string) => new URL(f, HERE).pathname;
  if (name === "pipecat") {
    return {
      name,
      command: [options.python ?? PYTHON, file("pipecat_echo.py"), ...args],
      path: "/ws",
    };
  }
  const server = DENO_SERVERS[name];
  if (server === undefined) {
    throw new RangeError(`unknown target "${name}": use ${TARGET_NAMES.join(", ")}`);
  }
  const [script, ...flags] = server;
  // The floors are paced with the lead of what they are compared with.
  const lead = script === "bare_echo.ts" && !flags.includes("--interval-ms=0")
    ? [`--ahead-ms=${leadMs}`]
    : [];
  return {
    name,
    command: [Deno.execPath(), "run", "-A", file(script), ...lead, ...flags, ...args],
    path: "/ws",
  };
}

/** Each Deno target: its server script in this folder and the flags it runs with. */
const DENO_SERVERS: Record<string, [string, ...string[]]> = {
  bare: ["bare_echo.ts"],
  // The demo's handler (streams), and the same under `deno serve --parallel`, a worker per core.
  demo: ["demo_server.ts"],
  parallel: ["parallel_server.ts"],
  // The demo's settings on the push surface, and the same with each feature in turn.
  push: ["push_server.ts"],
  responses: ["push_server.ts", "--responses"],
  "responses-unacked": ["push_server.ts", "--responses", "--unacked"],
  "push-recording": ["push_server.ts", "--record"],
  streams: ["push_server.ts", "--streams"],
  // The README's pattern, readable.pipeThrough(bot).pipeTo(writable), with a bot that passes on.
  "streams-transform": ["push_server.ts", "--streams", "--transform"],
  // Diagnostics: what one thing costs, each beside what it differs from by that thing alone.
  raw: ["bare_echo.ts", "--interval-ms=0"], // no pacing at all
  "bare-view": ["bare_echo.ts", "--send-view"], // the socket handed a view, as the transport does
  "bare-streams": ["bare_echo.ts", "--streams"], // each message piped through web streams
  "bare-no-ping": ["bare_echo.ts", "--no-ping"], // Deno's keep-alive off (idleTimeout 0)
  // The floor with `responses`' mark traffic (about 1.4 a second, answered): the runtime's share.
  "bare-marks": ["bare_echo.ts", "--marks-every=35"],
  "push-no-ping": ["push_server.ts", "--no-ping"],
  "responses-unheard": ["push_server.ts", "--responses", "--unacked", "--no-listen"],
  // Playback tracking with marks but no speaking listener: what issue 10 calls marks and timeline.
  "responses-marks": ["push_server.ts", "--responses", "--no-listen"],
  // The same with the marks spreading to one every 2 s (maxMarkIntervalMs) rather than 1 s.
  "responses-marks-2s": [
    "push_server.ts",
    "--responses",
    "--no-listen",
    "--max-mark-interval-ms=2000",
  ],
  // `responses` with the marks spreading to one every 4 s (maxMarkIntervalMs) rather than 1 s.
  "responses-sparse": ["push_server.ts", "--responses", "--max-mark-interval-ms=4000"],
  "push-tick": ["push_server.ts", "--tick-ms=10"], // 100 empty wake-ups a second beside it
  "push-copy": ["push_server.ts", "--copy"], // a new frame object per chunk, as responses' bot
};

/** What `apt-get` gives the pipecat target (FastAPI, uvicorn, and the WebSocket and loop libraries). */
export const PIPECAT_INSTALL =
  "apt-get install -y python3-fastapi python3-uvicorn python3-websockets python3-uvloop";

/**
 * Why the `pipecat` target cannot run on `python` (not installed, or without the modules it
 * needs), or `null` when it can. uvicorn needs one WebSocket library: `websockets` or `wsproto`.
 *
 * @example Asking before running the pipecat target
 * ```ts
 * import { pipecatUnavailable } from "./load.ts";
 *
 * const why = await pipecatUnavailable();
 * if (why) console.log(`pipecat skipped: ${why}`);
 * ```
 */
export async function pipecatUnavailable(python: string = PYTHON): Promise<string | null> {
  const probe = "import importlib.util as u\n" +
    "need = ['fastapi', 'uvicorn']\n" +
    "missing = [m for m in need if u.find_spec(m) is None]\n" +
    "if not any(u.find_spec(m) for m in ('websockets', 'wsproto')):\n" +
    "    missing.append('websockets (or wsproto)')\n" +
    "print(', '.join(missing))";
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(python, { args: ["-c", probe], stdin: "null" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return `${python} is not installed`;
    throw error;
  }
  const missing = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) return `${python} failed: ${new TextDecoder().decode(output.stderr)}`;
  return missing ? `${python} lacks ${missing}` : null;
}

/** Options for {@linkcode runLoad}. */
export interface LoadOptions {
  /** The server to measure. */
  target: TargetSpec;
  /** Concurrent sessions. */
  sessions: number;
  /** Length of the measured window, seconds. */
  seconds: number;
  /** Sending before the window opens (not measured, loss still counted), seconds. */
  warmupSeconds?: number;
  /**
   * Sessions begin sending over this long after the start, evenly, as calls arrive at a server,
   * instead of all at once (milliseconds, at most the warm-up; default 0: all at once).
   */
  startSpreadMs?: number;
  /** How long to wait for the last echoes after the last send, milliseconds. */
  drainMs?: number;
  /** Client processes sharing the sessions. */
  clients?: number;
  /**
   * The clients' sockets send at once (`TCP_NODELAY`, `_nodelay_web_socket.ts`) instead of using
   * Deno's `WebSocket`, which waits (Nagle): what a target whose client sends messages the server
   * does not answer (`responses`' acknowledgements) must be measured with. Default false.
   */
  clientNoDelay?: boolean;
  /**
   * The clients answer each mark right after the session's next audio message, in one burst with
   * the other sessions' audio due then, instead of as it comes (a diagnostic). Default false.
   */
  answerWithAudio?: boolean;
  /** Packet interval and size. */
  intervalMs?: number;
  bytes?: number;
  /**
   * Waits here, clients connected, to start at the same moment as other runs (`--paired`): the
   * windows then measure the same seconds of the machine. Default: start at once.
   */
  startGate?: StartGate;
}

/** One measurement of one target at one session count. */
export interface LoadResult {
  target: string;
  sessions: number;
  /** Sessions that never opened, or that closed before the end. */
  failedSessions: number;
  closedEarly: number;
  sent: number;
  received: number;
  /** sent − received after the drain. */
  loss: number;
  duplicates: number;
  misaligned: number;
  /** Echoes per second received in the window. */
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Server CPU seconds per session-minute over the window. */
  cpuPerSessionMinute: number;
  /** Server CPU as a share of one core over the window. */
  serverCpuShare: number;
  /** The kernel's part of the server's CPU over the window (system over user + system time). */
  serverSystemShare: number;
  /** `mark:NAME` texts the clients answered, per session-second of sending (0: none came). */
  marksPerSessionSecond: number;
  /**
   * Times a second the server's main threads went to sleep waiting (voluntary context switches):
   * its event loop's wake-ups. Messages per wake-up set what a message costs: one client process
   * sends its sessions' audio in bursts, where real far ends each send at moments of their own.
   */
  serverWakesPerSecond: number;
  /** Server VmRSS at the end of the window, VmHWM (peak), and VmRSS before any session, MB. */
  rssMb: number;
  peakRssMb: number;
  idleRssMb: number;
  /** Client health: p99 of how late sends left, ms, and client CPU share of one core. */
  clientLagP99Ms: number;
  clientCpuShare: number;
  /** The last 2,000 characters the server wrote to stderr by the end of the window. */
  serverLog: string;
}

const children = new Set<Deno.ChildProcess>();

/**
 * Kills every child process the harness started that is still running (SIGKILL): the last resort
 * on a signal, an error or the time limit; {@linkcode runLoad} stops its own children itself.
 *
 * @example Nothing to kill
 * ```ts
 * import { killChildren } from "./load.ts";
 *
 * killChildren();
 * ```
 */
export function killChildren(): void {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
}

/**
 * The process and every process below it (a server that runs its workers as child processes,
 * such as the `parallel` target's wrapper): their CPU and memory are the server's.
 */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
    } catch {
      continue; // gone meanwhile
    }
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const list = children.get(parent) ?? [];
    list.push(Number(entry.name));
    children.set(parent, list);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/**
 * Voluntary context switches of the main thread of each process in `tree` so far: each is the
 * thread blocking, for a JavaScript runtime its event loop waiting for work.
 */
function procWakes(tree: number[]): number {
  let wakes = 0;
  for (const p of tree) {
    try {
      const status = Deno.readTextFileSync(`/proc/${p}/task/${p}/status`);
      wakes += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      // a child that exited meanwhile
    }
  }
  return wakes;
}

/** CPU seconds the processes of `tree` have used so far, in user space and in the kernel. */
function procCpuSeconds(tree: number[]): { user: number; system: number } {
  let user = 0;
  let system = 0;
  for (const p of tree) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${p}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      user += Number(fields[11]) / 100; // utime, CLK_TCK 100
      system += Number(fields[12]) / 100; // stime
    } catch {
      // a child that exited meanwhile: its time is no longer readable
    }
  }
  return { user, system };
}

function procMemMb(pid: number): { rss: number; hwm: number } {
  let rss = 0;
  let hwm = 0;
  for (const p of processTree(pid)) {
    let status: string;
    try {
      status = Deno.readTextFileSync(`/proc/${p}/status`);
    } catch {
      continue;
    }
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    rss += kb("VmRSS") / 1024;
    hwm += kb("VmHWM") / 1024;
  }
  return { rss, hwm };
}

/** A started child whose stdout is read line by line and whose stderr tail is kept. */
class Child {
  readonly process: Deno.ChildProcess;
  readonly #lines: string[] = [];
  #waiters: (() => void)[] = [];
  #stdoutDone: Promise<void>;
  #stderrDone: Promise<void>;
  #stderrTail = "";
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #ended = false;
  readonly status: Promise<Deno.CommandStatus>;

  constructor(command: string[]) {
    const process = new Deno.Command(command[0]!, {
      args: command.slice(1),
      cwd: ROOT.pathname,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.process = process;
    children.add(process);
    this.status = process.status.finally(() => children.delete(process));
    this.#stdin = process.stdin.getWriter();
    this.#stdoutDone = (async () => {
      let pending = "";
      for await (const text of process.stdout.pipeThrough(new TextDecoderStream())) {
        pending += text;
        let nl;
        while ((nl = pending.indexOf("\n")) >= 0) {
          this.#lines.push(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
          this.#wake();
        }
      }
      this.#ended = true;
      this.#wake();
    })();
    this.#stderrDone = (async () => {
      for await (const text of process.stderr.pipeThrough(new TextDecoderStream())) {
        this.#stderrTail = (this.#stderrTail + text).slice(-2000);
      }
    })();
  }

  /** The last 2,000 characters written to stderr so far. */
  get stderrTail(): string {
    return this.#stderrTail;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** The next stdout line starting with `prefix`, within `timeoutMs`. */
  async line(prefix: string, timeoutMs: number, what: string): Promise<string> {
    const until = Date.now() + timeoutMs;
    while (true) {
      const index = this.#lines.findIndex((l) => l.startsWith(prefix));
      if (index >= 0) return this.#lines.splice(0, index + 1).at(-1)!.slice(prefix.length);
      const left = until - Date.now();
      if (this.#ended || left <= 0) {
        throw new Error(
          `${what}: no "${prefix}" line ${this.#ended ? "(process ended)" : `in ${timeoutMs} ms`}` +
            (this.#stderrTail ? `; stderr: ${this.#stderrTail}` : ""),
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  async send(text: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(text));
  }

  /** Closes stdin (our children exit on EOF), then kills after `graceMs`; waits for the end. */
  async stop(graceMs = 2000): Promise<void> {
    await this.#stdin.close().catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      this.status.then(() => true),
      new Promise<boolean>((r) => timer = setTimeout(() => r(false), graceMs)),
    ]);
    clearTimeout(timer);
    if (!exited) {
      try {
        this.process.kill("SIGKILL");
      } catch { /* gone meanwhile */ }
    }
    await this.status;
    await this.#stdoutDone;
    await this.#stderrDone;
  }
}

function mergeHist(results: ClientResult[], key: "rttHist" | "lagHist"): Map<number, number> {
  const merged = new Map<number, number>();
  for (const r of results) {
    for (const [bin, count] of r[key]) merged.set(bin, (merged.get(bin) ?? 0) + count);
  }
  return merged;
}

function percentile(
  hist: Map<number, number>,
  shape: { fineMs: number; fineBins: number },
  p: number,
): number {
  const bins = [...hist.entries()].sort((a, b) => a[0] - b[0]);
  const total = bins.reduce((s, [, c]) => s + c, 0);
  if (total === 0) return NaN;
  const rank = Math.ceil(p * total);
  let seen = 0;
  for (const [bin, count] of bins) {
    seen += count;
    // The bin's upper edge: never reports less than was measured.
    if (seen >= rank) {
      return bin < shape.fineBins
        ? (bin + 1) * shape.fineMs
        : shape.fineBins * shape.fineMs + (bin - shape.fineBins + 1);
    }
  }
  return NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Starts the target, runs the sessions against it from `load_client.ts` processes, samples the
 * server's CPU around the measured window and its memory at the end, stops every process and
 * returns the figures. Throws if a process does not start or report in time.
 *
 * @example Two sessions for half a second against the bare echo
 * ```ts
 * import { knownTarget, runLoad } from "./load.ts";
 * import assert from "node:assert/strict";
 *
 * const result = await runLoad({
 *   target: knownTarget("bare"),
 *   sessions: 2,
 *   seconds: 0.5,
 *   warmupSeconds: 0.2,
 *   drainMs: 300,
 * });
 * assert.equal(result.loss, 0);
 * assert.ok(result.p99Ms >= result.p50Ms);
 * ```
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const {
    target,
    sessions,
    seconds,
    warmupSeconds = 2,
    startSpreadMs = 0,
    drainMs = 2000,
    clients = 1,
    clientNoDelay = false,
    answerWithAudio = false,
    intervalMs = 20,
    bytes = 640,
  } = options;
  if (!(Number.isInteger(sessions) && sessions >= 1)) {
    throw new RangeError(`sessions must be an integer >= 1, got ${sessions}`);
  }
  if (!(seconds > 0)) throw new RangeError(`seconds must be > 0, got ${seconds}`);
  if (!(startSpreadMs >= 0 && startSpreadMs <= warmupSeconds * 1000)) {
    throw new RangeError(
      `startSpreadMs must be from 0 to the warm-up (${
        warmupSeconds * 1000
      } ms), got ${startSpreadMs}`,
    );
  }
  const server = new Child(target.command);
  const started: Child[] = [server];
  try {
    const address = (await server.line("listening ", 20_000, `${target.name} server`)).trim();
    const pid = server.process.pid;
    const idle = procMemMb(pid);
    const url = `ws://${address}${target.path}`;
    const clientCount = Math.min(clients, sessions);
    const windowMs = seconds * 1000;
    const warmupMs = warmupSeconds * 1000;
    const connectSpreadMs = Math.min(3000, sessions * 4);
    const clientProcs: Child[] = [];
    for (let c = 0; c < clientCount; c++) {
      const share = Math.floor(sessions / clientCount) + (c < sessions % clientCount ? 1 : 0);
      const child = new Child([
        Deno.execPath(),
        "run",
        "-A",
        new URL("load_client.ts", HERE).pathname,
        `--url=${url}`,
        `--sessions=${share}`,
        `--first=${c}`,
        `--stride=${clientCount}`,
        `--total=${sessions}`,
        `--interval-ms=${intervalMs}`,
        `--bytes=${bytes}`,
        `--warmup-ms=${warmupMs}`,
        `--window-ms=${windowMs}`,
        `--drain-ms=${drainMs}`,
        `--connect-spread-ms=${connectSpreadMs}`,
        `--start-spread-ms=${startSpreadMs}`,
        ...(clientNoDelay ? ["--nodelay"] : []),
        ...(answerWithAudio ? ["--answer-with-audio"] : []),
      ]);
      clientProcs.push(child);
      started.push(child);
    }
    for (const child of clientProcs) await child.line("connected ", 30_000, "client");
    const go = options.startGate ? await options.startGate.arrive() : Date.now() + 300;
    for (const child of clientProcs) await child.send(`go ${go}\n`);
    await sleep(go + warmupMs - Date.now());
    // The server's processes, looked up once at each end of the window for both readings.
    let tree = processTree(pid);
    const cpuStart = procCpuSeconds(tree);
    const wakesStart = procWakes(tree);
    const windowStart = performance.now();
    await sleep(go + warmupMs + windowMs - Date.now());
    tree = processTree(pid);
    const cpuEnd = procCpuSeconds(tree);
    const wakes = procWakes(tree) - wakesStart;
    const serverLog = server.stderrTail;
    const windowSeconds = (performance.now() - windowStart) / 1000;
    const mem = procMemMb(pid);
    const results: ClientResult[] = [];
    for (const child of clientProcs) {
      results.push(JSON.parse(await child.line("result ", drainMs + 20_000, "client")));
    }
    const sum = (key: keyof ClientResult) => results.reduce((s, r) => s + (r[key] as number), 0);
    const shape = results[0]!;
    const rtt = mergeHist(results, "rttHist");
    const lag = mergeHist(results, "lagHist");
    const systemCpu = cpuEnd.system - cpuStart.system;
    const cpu = cpuEnd.user - cpuStart.user + systemCpu;
    for (const e of results.flatMap((r) => r.errors)) console.error(`  client: ${e}`);
    return {
      target: target.name,
      sessions,
      failedSessions: sum("failed") + sum("closedEarly"),
      closedEarly: sum("closedEarly"),
      sent: sum("sent"),
      received: sum("received"),
      loss: sum("sent") - sum("received"),
      duplicates: sum("duplicates"),
      misaligned: sum("misaligned"),
      messagesPerSecond: sum("windowReceived") / seconds,
      p50Ms: percentile(rtt, shape, 0.5),
      p99Ms: percentile(rtt, shape, 0.99),
      maxMs: Math.max(...results.map((r) => r.rttMaxMs)),
      cpuPerSessionMinute: cpu / (sessions * windowSeconds / 60),
      serverCpuShare: cpu / windowSeconds,
      serverSystemShare: cpu > 0 ? systemCpu / cpu : 0,
      marksPerSessionSecond: sum("marksAcked") / (sessions * (warmupSeconds + seconds)),
      serverWakesPerSecond: wakes / windowSeconds,
      rssMb: mem.rss,
      peakRssMb: mem.hwm,
      idleRssMb: idle.rss,
      clientLagP99Ms: percentile(lag, shape, 0.99),
      clientCpuShare: sum("clientCpuSeconds") / windowSeconds,
      serverLog,
    };
  } finally {
    // Clients first, so the server sees ordinary closes; then the server.
    await Promise.all(started.slice(1).map((c) => c.stop()));
    await server.stop();
  }
}

/** Both runs of a pair, and the target's CPU over the reference's: what `--paired` judges by. */
export interface PairedResult {
  reference: LoadResult;
  target: LoadResult;
  /** The target's CPU per session-minute over the reference's; NaN when a side read 0 (under one tick). */
  cpuRatio: number;
}

/**
 * A target's per-run CPU ratios ({@linkcode PairedResult.cpuRatio}) as one line: their median and
 * each run's, "–" for a pair with no ratio (left out of the median).
 *
 * @example
 * ```ts
 * import { describeRatios } from "./load.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describeRatios([1.2, NaN, 1.1]), "1.15× (1.20 / – / 1.10)");
 * assert.equal(describeRatios([NaN]), "no ratio, every pair had a side under one CPU tick (–)");
 * ```
 */
export function describeRatios(ratios: number[]): string {
  const middle = median(ratios); // NaNs left out; NaN when every pair had none
  const each = ratios.map((x) => f(x)).join(" / ");
  return Number.isNaN(middle)
    ? `no ratio, every pair had a side under one CPU tick (${each})`
    : `${f(middle)}× (${each})`;
}

/**
 * Runs `target` and `reference` at the same time, each with `options`' sessions and its own
 * clients, let go at one moment ({@linkcode StartGate}): the same seconds of the machine for both.
 */
export async function runPair(
  reference: TargetSpec,
  target: TargetSpec,
  options: Omit<LoadOptions, "target" | "startGate">,
): Promise<PairedResult> {
  const startGate = new StartGate(2);
  const [ref, result] = await Promise.all([
    runLoad({ ...options, target: reference, startGate }),
    runLoad({ ...options, target, startGate }),
  ]);
  return {
    reference: ref,
    target: result,
    // /proc counts CPU in 10 ms ticks: a side that used less in its window reads 0, and its
    // ratio would be Infinity or 0, which says nothing.
    cpuRatio: result.cpuPerSessionMinute > 0 && ref.cpuPerSessionMinute > 0
      ? result.cpuPerSessionMinute / ref.cpuPerSessionMinute
      : NaN,
  };
}

// ---------------------------------------------------------------------------------------------
// The command line: runs, ramp, tables, verdicts.

/** The median of `xs`, NaNs left out (NaN when nothing is left). */
export const median = (xs: number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const f = (x: number, digits = 2) => Number.isFinite(x) ? x.toFixed(digits) : "–";

/** Median of each figure over runs (loss and failures: summed, so any loss shows). */
function summarize(runs: LoadResult[]): LoadResult {
  const m = (key: keyof LoadResult) => median(runs.map((r) => r[key] as number));
  const s = (key: keyof LoadResult) => runs.reduce((a, r) => a + (r[key] as number), 0);
  return {
    target: runs[0]!.target,
    sessions: runs[0]!.sessions,
    failedSessions: s("failedSessions"),
    closedEarly: s("closedEarly"),
    sent: s("sent"),
    received: s("received"),
    loss: s("loss"),
    duplicates: s("duplicates"),
    misaligned: s("misaligned"),
    messagesPerSecond: m("messagesPerSecond"),
    p50Ms: m("p50Ms"),
    p99Ms: m("p99Ms"),
    maxMs: m("maxMs"),
    cpuPerSessionMinute: m("cpuPerSessionMinute"),
    serverCpuShare: m("serverCpuShare"),
    serverSystemShare: m("serverSystemShare"),
    marksPerSessionSecond: m("marksPerSessionSecond"),
    serverWakesPerSecond: m("serverWakesPerSecond"),
    rssMb: m("rssMb"),
    peakRssMb: m("peakRssMb"),
    idleRssMb: m("idleRssMb"),
    clientLagP99Ms: m("clientLagP99Ms"),
    clientCpuShare: m("clientCpuShare"),
    serverLog: runs.at(-1)!.serverLog,
  };
}

function passesRamp(r: LoadResult, p99LimitMs: number): boolean {
  return r.loss === 0 && r.failedSessions === 0 && r.misaligned === 0 && r.p99Ms <= p99LimitMs;
}

const USAGE = `Usage: deno run -A tests/bench/load.ts [options]

Runs N concurrent echo sessions (640 B every 20 ms each way) against each target in turn and
prints loss, round trips, server CPU and memory, with each target judged against the reference.

Options:
  --targets LIST        comma-separated, from ${TARGET_NAMES.join(", ")} (default demo,bare,pipecat)
  --sessions N          concurrent sessions (default 300)
  --seconds S           measured window per run (default 20)
  --warmup-seconds S    sending before the window (default 2)
  --start-spread-ms MS  sessions begin sending over this long, as calls arrive, instead of all
                        at once (at most the warm-up; default 0)
  --runs N              runs per target, targets interleaved; 0 = ramp only (default 3)
  --lead-ms MS          how far ahead the bare floor may send: the lead of the target it is
                        compared with (default ${DEMO_SEND_AHEAD_MS}, the demo's sendAheadMs)
  --reference NAME      the target the others are judged against (default bare)
  --paired              run each target at the same time as the reference, each with its own
                        N sessions and client, and judge it by the ratio within each pair
                        (the machine's noise then falls on both alike)
  --ramp                also find the largest session count with zero loss and p99 within limit
                        (with --paired: each step runs a target and the reference at once, N
                        sessions each, and each target is judged by the reference's capacity
                        in its own ramp; a side's capacity is its last step before the first
                        it failed)
  --ramp-seconds S      window per ramp try (default 10)
  --ramp-tries N        tries per ramp step (default 2)
  --ramp-steps LIST     session counts to try (default 100,200,300,400,600,800,1000,1200,1600)
  --max-sessions N      skip ramp steps above N (default 1600)
  --p99-limit-ms MS     the ramp's p99 limit (default 25)
  --clients N           client processes sharing the sessions (default 1)
  --client-nodelay      the clients' sockets send at once (TCP_NODELAY) instead of through
                        Deno's WebSocket, which waits (Nagle) behind a message the server
                        does not answer: use it for responses and bare-marks
  --answer-with-audio   the clients answer each mark right after the session's next audio
                        message, in a burst with the other sessions' audio (a diagnostic)
  --python PATH         the Python for the pipecat target (default /usr/bin/python3)
  --max-minutes M       hard limit on the whole run; children are killed (default 15)
  --json FILE           also write every run's figures as JSON
  -h, --help            this text

The pipecat target runs pipecat_echo.py with FastAPI and uvicorn on Debian's python3
(${PIPECAT_INSTALL}); when they are missing it is skipped with a note.
`;

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        help: { type: "boolean", short: "h", default: false },
        sessions: { type: "string", default: "300" },
        seconds: { type: "string", default: "20" },
        "warmup-seconds": { type: "string", default: "2" },
        "start-spread-ms": { type: "string", default: "0" },
        runs: { type: "string", default: "3" },
        targets: { type: "string", default: "demo,bare,pipecat" },
        "lead-ms": { type: "string", default: String(DEMO_SEND_AHEAD_MS) },
        clients: { type: "string", default: "1" },
        "client-nodelay": { type: "boolean", default: false },
        "answer-with-audio": { type: "boolean", default: false },
        ramp: { type: "boolean", default: false },
        "ramp-seconds": { type: "string", default: "10" },
        "ramp-tries": { type: "string", default: "2" },
        "ramp-steps": { type: "string", default: "100,200,300,400,600,800,1000,1200,1600" },
        "max-sessions": { type: "string", default: "1600" },
        "p99-limit-ms": { type: "string", default: "25" },
        "max-minutes": { type: "string", default: "15" },
        reference: { type: "string", default: "bare" },
        paired: { type: "boolean", default: false },
        python: { type: "string", default: PYTHON },
        json: { type: "string" },
      },
    });
  } catch (error) {
    // Unknown options and missing values: say which, then how to ask for the list.
    console.error(`load: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const sessions = Number(values.sessions);
  const seconds = Number(values.seconds);
  const warmupSeconds = Number(values["warmup-seconds"]);
  const startSpreadMs = Number(values["start-spread-ms"]);
  const runs = Number(values.runs);
  const clients = Number(values.clients);
  // What every run of this invocation shares, fixed run or ramp step.
  const shared = {
    warmupSeconds,
    startSpreadMs,
    clients,
    clientNoDelay: values["client-nodelay"],
    answerWithAudio: values["answer-with-audio"],
  };
  const leadMs = Number(values["lead-ms"]);
  const targetNames = values.targets.split(",").map((t) => t.trim()).filter(Boolean);
  const skipped: string[] = [];
  if (targetNames.includes("pipecat")) {
    const why = await pipecatUnavailable(values.python);
    if (why) {
      skipped.push(`pipecat: skipped, ${why}; install with: ${PIPECAT_INSTALL}`);
      targetNames.splice(targetNames.indexOf("pipecat"), 1);
    }
  }
  let targets: TargetSpec[];
  try {
    targets = targetNames.map((t) => knownTarget(t, { leadMs, python: values.python }));
  } catch (error) {
    console.error(`load: ${(error as Error).message}`);
    return 2;
  }
  const p99LimitMs = Number(values["p99-limit-ms"]);
  const maxSessions = Number(values["max-sessions"]);
  const rampTries = Number(values["ramp-tries"]);
  const rampSteps = values["ramp-steps"].split(",").map(Number).filter((n) => n <= maxSessions);

  // Hard bound on the whole run, whatever hangs.
  const hardLimit = setTimeout(() => {
    console.error(`load: time limit of ${values["max-minutes"]} min reached; killing children`);
    killChildren();
    Deno.exit(3);
  }, Number(values["max-minutes"]) * 60_000);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      killChildren();
      Deno.exit(130);
    });
  }

  const load = await Deno.readTextFile("/proc/loadavg");
  const header = [
    `# load benchmark ${new Date().toISOString()}`,
    `# ${sessions} sessions × 640 B every 20 ms, ${seconds} s window after ${warmupSeconds} s ` +
    `warm-up, ${runs} run(s), ${clients} client process(es)` +
    `${shared.clientNoDelay ? " on TCP_NODELAY sockets" : ""}; loadavg at start: ${
      load.split(" ").slice(0, 3).join(" ")
    }; ${navigator.hardwareConcurrency} CPUs shared by client and server`,
    `# the bare floor sends up to ${leadMs} ms ahead of its slot (--lead-ms); the demo's lead is ` +
    `${DEMO_SEND_AHEAD_MS} ms`,
    ...skipped.map((line) => `# ${line}`),
  ];
  console.log(header.join("\n"));
  for (const line of skipped) console.error(line);

  const all: LoadResult[] = [];
  const refName = values.reference;
  /** With `--paired`: each target's CPU over the reference's beside it, one ratio per run. */
  const pairedRatios = new Map<string, number[]>();
  const report = (r: LoadResult, label: string) =>
    console.error(
      `  ${label}loss ${r.loss}, failed ${r.failedSessions} (closed early ${r.closedEarly}), p50 ${
        f(r.p50Ms)
      } ms, p99 ${f(r.p99Ms)} ms, ` +
        `cpu ${f(r.cpuPerSessionMinute, 4)} s/session-min (kernel ${
          f(r.serverSystemShare * 100, 0)
        }%, ${f(r.serverWakesPerSecond, 0)} wake-ups/s), rss ${f(r.rssMb, 1)} MB, ` +
        (r.marksPerSessionSecond > 0 ? `marks ${f(r.marksPerSessionSecond)}/session-s, ` : "") +
        `client cpu ${f(r.clientCpuShare * 100, 0)}% lag p99 ${f(r.clientLagP99Ms)} ms`,
    );
  const reference = targets.find((t) => t.name === refName);
  if (values.paired && reference === undefined) {
    console.error(`load: --paired needs the reference "${refName}" among the targets`);
    return 2;
  }
  for (let run = 1; run <= runs; run++) {
    // Targets interleaved per run, so a slow spell on the machine hits them all alike.
    for (const target of targets) {
      const options = { sessions, seconds, ...shared };
      if (values.paired) {
        if (target === reference) continue;
        console.error(
          `run ${run}/${runs}: ${target.name} beside ${refName}, ${sessions} sessions each…`,
        );
        const pair = await runPair(reference!, target, options);
        report(pair.reference, `${refName}: `);
        report(pair.target, `${target.name}: `);
        all.push(pair.reference, pair.target);
        pairedRatios.set(target.name, [...pairedRatios.get(target.name) ?? [], pair.cpuRatio]);
        continue;
      }
      console.error(`run ${run}/${runs}: ${target.name} at ${sessions} sessions…`);
      const r = await runLoad({ target, ...options });
      report(r, "");
      all.push(r);
    }
  }
  // `--runs 0` skips the fixed-count runs (a ramp-only invocation).
  const summary = new Map(
    runs > 0 ? targets.map((t) => [t.name, summarize(all.filter((r) => r.target === t.name))]) : [],
  );

  const maxOk = new Map<string, { max: number; steps: LoadResult[] }>();
  /** With `--paired`: the reference's own largest passing step in each target's paired ramp. */
  const pairedRampRef = new Map<string, number>();
  if (values.ramp && values.paired) {
    // Each step runs the target and the reference at the same time, N sessions each: both meet
    // the same seconds of the machine (which then carries 2 × N), and each target is judged by
    // the reference's capacity in its own ramp. A side's capacity is its last step before the
    // first it failed (`RampSide`); the ramp goes on while either side has not failed yet.
    for (const target of targets) {
      if (target === reference) continue;
      const steps: LoadResult[] = [];
      const mine = new RampSide();
      const theirs = new RampSide();
      for (const count of rampSteps) {
        let targetPassed = false;
        let refPassed = false;
        // Tries go on while a side still in the ramp has not passed this step.
        const settled = () => (mine.failed || targetPassed) && (theirs.failed || refPassed);
        for (let attempt = 1; attempt <= rampTries && !settled(); attempt++) {
          console.error(
            `ramp: ${target.name} beside ${refName} at ${count} sessions each (try ${attempt})…`,
          );
          const pair = await runPair(reference!, target, {
            sessions: count,
            seconds: Number(values["ramp-seconds"]),
            ...shared,
          });
          steps.push(pair.reference, pair.target);
          report(pair.reference, `${refName}: `);
          report(pair.target, `${target.name}: `);
          refPassed ||= passesRamp(pair.reference, p99LimitMs);
          targetPassed ||= passesRamp(pair.target, p99LimitMs);
        }
        mine.record(count, targetPassed);
        theirs.record(count, refPassed);
        if (mine.failed && theirs.failed) break;
      }
      maxOk.set(target.name, { max: mine.capacity, steps });
      pairedRampRef.set(target.name, theirs.capacity);
    }
  } else if (values.ramp) {
    for (const target of targets) {
      const steps: LoadResult[] = [];
      let max = 0;
      ramp: for (const count of rampSteps) {
        // A paced echo's round trip carries every stall it has seen (see load.md), so one
        // hiccup of the shared machine fails a step: a step passes if any of its tries does.
        for (let attempt = 1; attempt <= rampTries; attempt++) {
          console.error(`ramp: ${target.name} at ${count} sessions (try ${attempt})…`);
          const r = await runLoad({
            target,
            sessions: count,
            seconds: Number(values["ramp-seconds"]),
            ...shared,
          });
          steps.push(r);
          console.error(`  loss ${r.loss}, failed ${r.failedSessions}, p99 ${f(r.p99Ms)} ms`);
          if (passesRamp(r, p99LimitMs)) {
            max = count;
            continue ramp;
          }
        }
        break;
      }
      maxOk.set(target.name, { max, steps });
    }
  }

  const bare = summary.get(refName);
  const ratio = (x: number, base: number | undefined) =>
    base === undefined || !(base > 0) ? "" : ` (${f(x / base)}×)`;
  const lines: string[] = [
    "",
    `| target | sessions | loss | p50 ms | p99 ms | CPU s/session-min | RSS MB | peak RSS MB | idle RSS MB | ` +
    `msgs/s | server CPU | server wake-ups/s | client CPU | client lag p99 ms |${
      values.ramp ? " max sessions |" : ""
    }`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|${
      values.ramp ? "---:|" : ""
    }`,
  ];
  if (summary.size === 0) lines.splice(0, 3); // ramp only: no fixed-count table
  for (const [name, s] of summary) {
    lines.push(
      `| ${name} | ${s.sessions} | ${s.loss}${
        s.failedSessions ? ` (${s.failedSessions} failed)` : ""
      } | ` +
        `${f(s.p50Ms)} | ${f(s.p99Ms)}${ratio(s.p99Ms, bare?.p99Ms)} | ` +
        `${f(s.cpuPerSessionMinute, 4)}${
          ratio(s.cpuPerSessionMinute, bare?.cpuPerSessionMinute)
        } | ` +
        `${f(s.rssMb, 1)}${ratio(s.rssMb, bare?.rssMb)} | ${f(s.peakRssMb, 1)} | ${
          f(s.idleRssMb, 1)
        } | ` +
        `${f(s.messagesPerSecond, 0)} | ${f(s.serverCpuShare * 100, 0)}% | ` +
        `${f(s.serverWakesPerSecond, 0)} | ` +
        `${f(s.clientCpuShare * 100, 0)}% | ${f(s.clientLagP99Ms)} |` +
        (values.ramp
          ? ` ${maxOk.get(name)?.max ?? "–"}${
            ratio(maxOk.get(name)?.max ?? NaN, maxOk.get(refName)?.max)
          } |`
          : ""),
    );
  }
  if (values.ramp) {
    lines.push(
      "",
      `Ramp (${values["ramp-seconds"]} s per try, up to ${rampTries} tries per step; stops at ` +
        `the first step where no try ${values.paired ? "of either side " : ""}has zero loss ` +
        `and p99 ≤ ${p99LimitMs} ms${values.paired ? "; N sessions a side" : ""}):`,
      "",
    );
    lines.push(
      "| target | sessions | loss | failed | p50 ms | p99 ms | CPU s/session-min | RSS MB |",
    );
    lines.push("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const [name, { steps }] of maxOk) {
      for (const r of steps) {
        lines.push(
          `| ${r.target === name ? name : `${r.target} (beside ${name})`} | ${r.sessions} | ` +
            `${r.loss} | ${r.failedSessions} | ${f(r.p50Ms)} | ` +
            `${f(r.p99Ms)} | ${f(r.cpuPerSessionMinute, 4)} | ${f(r.rssMb, 1)} |`,
        );
      }
    }
  }
  if (pairedRatios.size > 0) {
    lines.push(
      "",
      `Paired (each run of a target beside its own run of ${refName}, the same seconds): CPU over ` +
        `${refName}'s, median of the per-run ratios (each run's in brackets):`,
      "",
    );
    for (const [name, ratios] of pairedRatios) lines.push(`- ${name}: ${describeRatios(ratios)}`);
  }
  lines.push("");
  let failed = false;
  const refRamp = maxOk.get(refName)?.max;
  for (const { name } of targets) {
    const s = summary.get(name);
    if (name === refName) {
      lines.push(`- ${name}: the reference${s?.loss ? `; WARNING: lost ${s.loss}` : ""}`);
      continue;
    }
    const checks: [string, boolean][] = [];
    if (s && bare) {
      checks.push(
        [
          `zero loss (${s.loss}, ${s.failedSessions} failed sessions)`,
          s.loss === 0 && s.failedSessions === 0,
        ],
        [
          `p99 ${f(s.p99Ms)} ≤ max(1.25 × ${f(bare.p99Ms)}, ${f(bare.p99Ms)} + 5) ms`,
          s.p99Ms <= Math.max(1.25 * bare.p99Ms, bare.p99Ms + 5),
        ],
        [
          `CPU ${f(s.cpuPerSessionMinute, 4)} ≤ 1.25 × ${
            f(bare.cpuPerSessionMinute, 4)
          } s/session-min`,
          s.cpuPerSessionMinute <= 1.25 * bare.cpuPerSessionMinute,
        ],
        [`RSS ${f(s.rssMb, 1)} ≤ 1.25 × ${f(bare.rssMb, 1)} MB`, s.rssMb <= 1.25 * bare.rssMb],
      );
    }
    const rampRef = pairedRampRef.get(name) ?? refRamp;
    if (values.ramp && rampRef !== undefined) {
      const mine = maxOk.get(name)?.max ?? 0;
      const beside = pairedRampRef.has(name) ? ` (${refName}'s beside it)` : "";
      // A reference that passed no step gives nothing to be 0.9 of: that is no pass.
      checks.push([
        `max sessions ${mine} ≥ 0.9 × ${rampRef}${beside}`,
        rampRef > 0 && mine >= 0.9 * rampRef,
      ]);
    }
    if (checks.length === 0) {
      lines.push(`- ${name}: no ${refName} target in this run, nothing to compare with`);
      continue;
    }
    const ok = checks.every(([, pass]) => pass);
    if (name === "demo" && !ok) failed = true;
    lines.push(
      `- ${name}: ${ok ? "PASS" : "FAIL"} — ` +
        checks.map(([what, pass]) => `${pass ? "ok" : "FAIL"} ${what}`).join("; "),
    );
  }
  console.log(lines.join("\n"));
  if (values.json) {
    await Deno.writeTextFile(
      values.json,
      JSON.stringify({ header, runs: all, ramp: Object.fromEntries(maxOk) }, null, 2),
    );
  }
  clearTimeout(hardLimit);
  return failed ? 1 : 0;
}

if (import.meta.main) {
  let code = 1;
  try {
    code = await main(Deno.args);
  } catch (error) {
    console.error(error);
  } finally {
    killChildren();
  }
  Deno.exit(code);
}
