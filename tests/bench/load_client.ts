/**
 * The client side of the load benchmark, run by `tests/bench/load.ts` as its own process so that
 * the server's CPU is measured alone. It opens its share of the sessions (staggered), prints
 * `connected <open> <failed>`, waits for `go <epoch ms>` on stdin, then every session sends a
 * packet every interval from a fixed-deadline schedule and matches echoes by sequence number.
 * When done it prints `result <json>` (a {@linkcode ClientResult}) and exits.
 *
 * With `--nodelay` the sockets are `NoDelayWebSocket`s (`TCP_NODELAY` on), not Deno's `WebSocket`
 * (which turns it off): see `_nodelay_web_socket.ts` for what that changes.
 *
 * Packet layout (little-endian): magic u32, session u32, seq u32, reserved u32, send time f64
 * (`performance.now()` of this process); the rest is zero (silence).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { NoDelayWebSocket } from "./_nodelay_web_socket.ts";

/** What one client process reports to the harness. */
export interface ClientResult {
  /** Sessions this client was asked to open. */
  sessions: number;
  /** Sessions whose socket opened. */
  opened: number;
  /** Sessions that failed to open in time. */
  failed: number;
  /** Sessions whose socket closed before the run ended. */
  closedEarly: number;
  /** Packets sent / distinct echoes received, whole run (warm-up included). */
  sent: number;
  received: number;
  /** Echoes received twice, or that could not be matched to a packet sent. */
  duplicates: number;
  misaligned: number;
  bytesSent: number;
  bytesReceived: number;
  /** Packets scheduled inside the measured window, and their echoes received. */
  windowSent: number;
  windowReceived: number;
  /** Round-trip times of window packets: sparse histogram [bin, count] (see `fineMs`). */
  rttHist: [number, number][];
  rttMaxMs: number;
  /** How late sends left after their deadline (client health), same histogram shape. */
  lagHist: [number, number][];
  lagMaxMs: number;
  /** Histogram shape: `fineBins` bins of `fineMs`, then 1 ms bins. */
  fineMs: number;
  fineBins: number;
  /** This process's CPU seconds during the window. */
  clientCpuSeconds: number;
  /** The first few socket errors, for diagnosis. */
  /** `mark:NAME` texts answered (the `responses` target's playout acknowledgements). */
  marksAcked: number;
  errors: string[];
}

const MAGIC = 0x57534c44; // "WSLD"
/**
 * Histogram bins: 10 µs wide below 100 ms, 1 ms wide from there to 60 s (later values land in
 * the last bin; the maximum is kept apart). `load.ts` reads them back with the same two numbers.
 */
const FINE_MS = 0.01;
const FINE_BINS = 10_000;
const HIST_BINS = FINE_BINS + 59_900;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string" },
    sessions: { type: "string", default: "10" },
    first: { type: "string", default: "0" },
    stride: { type: "string", default: "1" },
    total: { type: "string" },
    "interval-ms": { type: "string", default: "20" },
    bytes: { type: "string", default: "640" },
    "warmup-ms": { type: "string", default: "2000" },
    "window-ms": { type: "string", default: "20000" },
    "drain-ms": { type: "string", default: "2000" },
    "connect-spread-ms": { type: "string", default: "1000" },
    "start-spread-ms": { type: "string", default: "0" },
    "connect-timeout-ms": { type: "string", default: "15000" },
    nodelay: { type: "boolean", default: false },
    "answer-with-audio": { type: "boolean", default: false },
  },
});

const url = values.url;
if (!url) throw new TypeError("--url is required");
const sessions = Number(values.sessions);
const first = Number(values.first);
const stride = Number(values.stride);
const total = Number(values.total ?? sessions);
const intervalMs = Number(values["interval-ms"]);
const packetBytes = Number(values.bytes);
const warmupMs = Number(values["warmup-ms"]);
const windowMs = Number(values["window-ms"]);
const drainMs = Number(values["drain-ms"]);
const connectSpreadMs = Number(values["connect-spread-ms"]);
const startSpreadMs = Number(values["start-spread-ms"]);
const connectTimeoutMs = Number(values["connect-timeout-ms"]);
if (!(packetBytes >= 24)) throw new RangeError(`--bytes must be >= 24, got ${packetBytes}`);

const runMs = warmupMs + windowMs;
const packetsPerSession = Math.ceil(runMs / intervalMs) + 1;

function cpuSeconds(): number {
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // CLK_TCK is 100 on Linux
}

class Session {
  readonly id: number;
  /** Offset of this session's sends inside each interval. */
  readonly phaseMs: number;
  /** When this session begins sending, from the start (`--start-spread-ms`): earlier slots stay silent. */
  readonly startMs: number;
  readonly buffer = new Uint8Array(packetBytes);
  readonly view = new DataView(this.buffer.buffer);
  readonly sendTimes = new Float64Array(packetsPerSession);
  readonly got = new Uint8Array(packetsPerSession);
  socket: WebSocket | NoDelayWebSocket | undefined;
  /** With `--answer-with-audio`: marks to answer right after this session's next audio message. */
  readonly unanswered: string[] = [];
  open = false;
  ended = false;

  constructor(id: number, phaseMs: number, startMs: number) {
    this.id = id;
    this.phaseMs = phaseMs;
    this.startMs = startMs;
    this.view.setUint32(0, MAGIC, true);
    this.view.setUint32(4, id, true);
  }
}

const rttHist = new Uint32Array(HIST_BINS);
const lagHist = new Uint32Array(HIST_BINS);
let rttMaxMs = 0;
let lagMaxMs = 0;
let sent = 0;
let received = 0;
let duplicates = 0;
let misaligned = 0;
let bytesSent = 0;
let bytesReceived = 0;
let windowSent = 0;
let windowReceived = 0;
let closedEarly = 0;
let finishing = false;
const errors: string[] = [];
let marksAcked = 0;

// LOAD_TRACE=1: per 250 ms from the first echo, the worst round trip and the worst send lag, to
// stderr (diagnosing stalls).
const TRACE = Deno.env.get("LOAD_TRACE") === "1";
let traceStart = NaN;
let traceBucket = -1;
let traceMax = 0;
let traceCount = 0;
let traceLag = 0;
function trace(now: number, rtt: number): void {
  if (Number.isNaN(traceStart)) traceStart = now;
  const bucket = Math.floor((now - traceStart) / 250);
  if (bucket !== traceBucket) {
    if (traceBucket >= 0) {
      console.error(
        `t=${traceBucket * 250} rtt max=${traceMax.toFixed(1)} n=${traceCount} ` +
          `send lag max=${traceLag.toFixed(1)}`,
      );
    }
    traceBucket = bucket;
    traceMax = 0;
    traceCount = 0;
    traceLag = 0;
  }
  traceCount++;
  if (rtt > traceMax) traceMax = rtt;
}

function record(hist: Uint32Array, ms: number): void {
  const bin = ms < FINE_BINS * FINE_MS
    ? Math.floor(Math.max(0, ms) / FINE_MS)
    : FINE_BINS + Math.floor(ms - FINE_BINS * FINE_MS);
  hist[Math.min(HIST_BINS - 1, bin)]!++;
}

function isWindowPacket(session: Session, seq: number): boolean {
  const at = seq * intervalMs + session.phaseMs;
  return at >= warmupMs && at < runMs;
}

const local: Session[] = [];
for (let j = 0; j < sessions; j++) {
  const id = first + j * stride;
  local.push(new Session(id, (id * intervalMs) / total, (id * startSpreadMs) / total));
}

function onMessage(session: Session, event: MessageEvent): void {
  const now = performance.now();
  const data = event.data;
  if (typeof data === "string" && data.startsWith("mark:")) {
    // A far end that acknowledges playout (the `responses` target): answer each mark at once,
    // or (`--answer-with-audio`) right after the session's next audio message, in the same burst
    // of sends as the other sessions' audio of that moment.
    if (values["answer-with-audio"]) return void session.unanswered.push(data);
    session.socket!.send(data);
    marksAcked++;
    return;
  }
  if (!(data instanceof ArrayBuffer)) {
    misaligned++;
    return;
  }
  bytesReceived += data.byteLength;
  if (data.byteLength < 24) {
    misaligned++;
    return;
  }
  const view = new DataView(data);
  const seq = view.getUint32(8, true);
  if (
    view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== session.id ||
    seq >= packetsPerSession || session.sendTimes[seq] === 0
  ) {
    misaligned++;
    return;
  }
  if (session.got[seq]) {
    duplicates++;
    return;
  }
  session.got[seq] = 1;
  received++;
  if (TRACE) trace(now, now - session.sendTimes[seq]!);
  if (isWindowPacket(session, seq)) {
    windowReceived++;
    const rtt = now - session.sendTimes[seq]!;
    if (rtt > rttMaxMs) rttMaxMs = rtt;
    record(rttHist, rtt);
  }
}

function connect(session: Session): Promise<void> {
  return new Promise((resolve) => {
    // --nodelay: a socket that sends at once (see _nodelay_web_socket.ts for why it matters).
    const socket = values.nodelay ? new NoDelayWebSocket(url!) : new WebSocket(url!);
    socket.binaryType = "arraybuffer";
    session.socket = socket;
    socket.onopen = () => {
      session.open = true;
      resolve();
    };
    socket.onmessage = (event) => onMessage(session, event);
    socket.onerror = (event: Event) => {
      if (errors.length < 5) {
        errors.push(`session ${session.id}: ${(event as ErrorEvent).message ?? "error"}`);
      }
      resolve();
    };
    socket.onclose = () => {
      if (session.open && !finishing) closedEarly++;
      session.open = false;
      resolve();
    };
  });
}

const deadline = Date.now() + connectTimeoutMs;
const opening: Promise<void>[] = [];
for (let j = 0; j < local.length; j++) {
  opening.push(connect(local[j]!));
  // Stagger: a burst of handshakes is not what the benchmark measures.
  const pause = connectSpreadMs / local.length;
  if (pause >= 1) await new Promise((r) => setTimeout(r, pause));
}
let connectTimer: ReturnType<typeof setTimeout> | undefined;
await Promise.race([
  Promise.all(opening),
  new Promise((r) => connectTimer = setTimeout(r, Math.max(0, deadline - Date.now()))),
]);
clearTimeout(connectTimer);
const opened = local.filter((s) => s.open).length;
console.log(`connected ${opened} ${local.length - opened}`);

// Wait for `go <epoch ms>`; EOF instead means the harness is gone.
const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
const reader = lines.getReader();
let pending = "";
let goEpoch = NaN;
while (Number.isNaN(goEpoch)) {
  const { value, done } = await reader.read();
  if (done) Deno.exit(2);
  pending += value;
  const match = /go (\d+(?:\.\d+)?)\n/.exec(pending);
  if (match) goEpoch = Number(match[1]);
}
// Keep watching stdin so that the harness's death ends us too.
(async () => {
  while (!(await reader.read()).done) { /* discard */ }
  Deno.exit(2);
})();

const t0 = performance.now() + (goEpoch - Date.now());
let cpuAtWindowStart = NaN;
let cpuAtWindowEnd = NaN;
setTimeout(() => cpuAtWindowStart = cpuSeconds(), Math.max(0, t0 + warmupMs - performance.now()));
setTimeout(() => cpuAtWindowEnd = cpuSeconds(), Math.max(0, t0 + runMs - performance.now()));

// One timer for all sessions: slot s is packet floor(s / n) of local session s % n, due at
// t0 + seq × interval + phase. Deadlines come from t0, never from "now + interval", so timer
// lateness delays a send but never lowers the rate: overdue slots go out at once.
const n = local.length;
let slot = 0;
function slotDue(s: number): number {
  return t0 + Math.floor(s / n) * intervalMs + local[s % n]!.phaseMs;
}
function slotOffset(s: number): number {
  return Math.floor(s / n) * intervalMs + local[s % n]!.phaseMs;
}
const sendingDone = Promise.withResolvers<void>();
function tick(): void {
  const now = performance.now();
  while (slot < n * packetsPerSession && slotOffset(slot) < runMs && slotDue(slot) <= now) {
    const session = local[slot % n]!;
    const seq = Math.floor(slot / n);
    const due = slotDue(slot);
    slot++;
    if (!session.open || slotOffset(slot - 1) < session.startMs) continue;
    const sendAt = performance.now();
    session.view.setUint32(8, seq, true);
    session.view.setFloat64(16, sendAt, true);
    session.sendTimes[seq] = sendAt;
    // The socket copies the bytes on send, so one buffer per session is reused.
    session.socket!.send(session.buffer);
    if (session.unanswered.length > 0) {
      for (const mark of session.unanswered) session.socket!.send(mark);
      marksAcked += session.unanswered.length;
      session.unanswered.length = 0;
    }
    sent++;
    bytesSent += packetBytes;
    if (TRACE && sendAt - due > traceLag) traceLag = sendAt - due;
    if (isWindowPacket(session, seq)) {
      windowSent++;
      const lag = sendAt - due;
      if (lag > lagMaxMs) lagMaxMs = lag;
      record(lagHist, lag);
    }
  }
  if (slot >= n * packetsPerSession || slotOffset(slot) >= runMs) {
    sendingDone.resolve();
    return;
  }
  setTimeout(tick, Math.max(0, slotDue(slot) - performance.now()));
}
if (n > 0) setTimeout(tick, Math.max(0, t0 - performance.now()));
else sendingDone.resolve();
await sendingDone.promise;

// Drain: wait for outstanding echoes, bounded.
const drainUntil = performance.now() + drainMs;
while (received < sent && performance.now() < drainUntil) {
  await new Promise((r) => setTimeout(r, 10));
}
if (Number.isNaN(cpuAtWindowEnd)) cpuAtWindowEnd = cpuSeconds();
finishing = true;
for (const session of local) session.socket?.close();

function sparse(hist: Uint32Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < hist.length; i++) if (hist[i]) out.push([i, hist[i]!]);
  return out;
}
const result: ClientResult = {
  sessions: local.length,
  opened,
  failed: local.length - opened,
  closedEarly,
  sent,
  received,
  duplicates,
  misaligned,
  bytesSent,
  bytesReceived,
  windowSent,
  windowReceived,
  rttHist: sparse(rttHist),
  rttMaxMs,
  lagHist: sparse(lagHist),
  lagMaxMs,
  fineMs: FINE_MS,
  fineBins: FINE_BINS,
  clientCpuSeconds: cpuAtWindowEnd - cpuAtWindowStart,
  marksAcked,
  errors,
};
console.log(`result ${JSON.stringify(result)}`);
Deno.exit(0);
