/**
 * A seeded fuzzer of inbound messages: plays one session per protocol and seed through a real
 * WebSocketTransport on a memory socket and a fake clock, valid messages mixed with mutated,
 * duplicated, reordered and misplaced ones, and checks that the session survives them.
 *
 * Long runs: `deno run -A tests/fuzz/inbound_fuzz.ts --seeds 200 --steps 300 [--protocol twilio]`
 * (`--first-seed N` to go on from another run, `--skip timestamps,end` to look past a fault known
 * while it is being fixed); jittered both-tracks streams (generators_both_tracks.ts, checked by
 * both_tracks_session.ts): `--protocol twilio_both` (`plivo_both`, `telnyx_both`) or
 * `--both-tracks` for the three, `--steps` then counting the caller's packets, `--skip reorder,
 * duplicate,straddle,switch-loss` leaving out an impairment (faults known: inbound_fuzz_test.ts);
 * replay one failure: `... --seed N --protocol P --steps S` (prints its steps); `--help` lists
 * the flags, and a flag it does not know is refused (exit 2). Exits 1 on any failure.
 *
 * Checked of every session: nothing escapes the transport (an unhandled rejection or uncaught
 * error), every "error" event is a TransportError and no serializer threw anything else, every
 * message sent is counted in `stats.messagesIn`, audio frames' `timestampMs` is never negative,
 * valid media after the fuzz still becomes frames, no filled gap is longer than the reorder stage's
 * `maxGapMs`, the stop message gives an `end` frame (and, in the telephony protocols, what follows
 * it is dropped and counted), and the session closes with no fake timer left.
 *
 * @module
 */
import type { Frame } from "../../src/frames.ts";
import { TransportError } from "../../src/errors.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { Prng } from "./prng.ts";
import { type InboundProtocol, type Message, toWire } from "./generators.ts";
import { PROTOCOLS } from "./protocols.ts";
import { mutate } from "./mutations.ts";
import { closeWithin } from "./close_within.ts";
import { escaping } from "../_escaping.ts";
import { BOTH_TRACKS_PROTOCOLS, type Impairment, IMPAIRMENTS } from "./generators_both_tracks.ts";
import { formatBothTracksFailure, fuzzBothTracks } from "./both_tracks_session.ts";
import { type FuzzCommand, readFlags } from "./_fuzz_flags.ts";

/** Where a step sits in the session, which decides what is checked of it. */
export type Phase = "before start" | "opening" | "fuzz" | "probe" | "stop" | "after stop";

/** One message the client sends. */
export interface Step {
  phase: Phase;
  label: string;
  wire: string | Uint8Array;
}

/** What one session showed. */
export interface SessionResult {
  protocol: string;
  seed: number;
  steps: Step[];
  /** Broken invariants; empty when the session passed. */
  failures: string[];
  framesIn: number;
  decodeErrors: number;
}

/** The steps of one session: the same protocol and seed always give the same steps. */
export function planSession(protocol: InboundProtocol, seed: number, fuzzSteps: number): Step[] {
  const rng = new Prng(seed);
  const steps: Step[] = [];
  const add = (phase: Phase, label: string, message: Message | string | Uint8Array) =>
    steps.push({
      phase,
      label,
      wire: typeof message === "string" || message instanceof Uint8Array
        ? message
        : toWire(message),
    });
  const opening = protocol.opening();
  let seq = opening.length;
  let chunk = 0;
  // The highest numbers any media carried: a far end that jumped ahead (or restarted its stream
  // there) has moved its numbering, and what follows must continue from it to count as valid.
  // A malformed start ends the stream's media until a valid one (the serializer says so, and
  // refuses the media): the probe then opens the stream again first.
  let openingBroken = false;
  let highestSeq = 0;
  let highestChunk = 0;

  const strict = protocol.strictSequence === true;
  // What a far end may send before its opening. An AudioHook client (the strict numbering's) sends
  // nothing: it "does not send audio until the server completes the open transaction" (Genesys's
  // help, "What happens during a successful session between Genesys Cloud and your AudioHook
  // server?"), and audio before it is a breach that ends the session unopened (the reference
  // server's "Received audio in state PREPARING", tests/serializers/genesys_audio_breach_test.ts):
  // no session would be left for the probe to hear. The rolls are drawn all the same, so that a
  // seed plans the same steps after the opening as before.
  const early = rng.chance(0.3);
  if (early && !strict) {
    add("before start", "media before start", protocol.media(seq + 1, chunk + 1));
  }
  if (early && rng.chance(0.5) && !strict) {
    add("before start", "control before start", rng.pick(protocol.controls(seq + 1)));
  }
  for (const message of opening) add("opening", "opening", message);

  for (let i = 0; i < fuzzSteps; i++) {
    const roll = rng.next();
    if (roll < 0.35) {
      if (!strict) seq++;
      add("fuzz", `media seq ${seq}`, protocol.media(seq, ++chunk));
    } else if (roll < 0.45) {
      add("fuzz", "control", rng.pick(protocol.controls(++seq)));
    } else if (roll < 0.5 && steps.length > 0) {
      const last = steps[steps.length - 1]!;
      add("fuzz", `duplicate of: ${last.label}`, last.wire);
      if (strict) seq++;
    } else if (roll < 0.55) {
      const shift = rng.pick([-5, -2, -1, 2, 3, 50, 100_000]);
      if (chunk + shift < 1) continue;
      add("fuzz", `media out of order by ${shift}`, protocol.media(seq + shift, chunk + shift));
      highestSeq = Math.max(highestSeq, seq + shift);
      highestChunk = Math.max(highestChunk, chunk + shift);
    } else if (roll < 0.58 && opening.length > 0) {
      add("fuzz", "opening again", opening[opening.length - 1]!);
      openingBroken = false;
    } else {
      const valid = rng.pick([
        protocol.media(seq + 1, chunk + 1),
        protocol.media(seq + 1, chunk + 1),
        ...protocol.controls(seq + 1),
        ...opening,
      ]);
      const mutated = mutate(valid, protocol, rng);
      add("fuzz", mutated.label, mutated.wire);
      if (opening.includes(valid) && !strict) openingBroken = true;
      // A mutated number may still be read, and ahead (`"0x10"` is media 16): a jump ahead as the
      // out-of-order media's is, and what follows must continue from it. Read as the stream's
      // first media it starts the timeline, and every media behind it is late (MediaReorder: "a
      // packet behind the timeline by less than [maxGapMs] is a duplicate or late").
      const read = protocol.mediaNumberRead?.(mutated.wire);
      if (read !== undefined && read > chunk + 1) highestChunk = Math.max(highestChunk, read);
      if (strict) seq++;
    }
  }

  // A burst of valid media after the bad ones: the session must still carry audio. Continuing from
  // the highest number sent may leave a hole just before it (a lone jump that media on the old
  // numbering followed was dropped as a bogus number, as MediaReorder documents, and never filled
  // its place): the probe is long enough for the stage to give such a hole up (see PROBE_MEDIA).
  if (openingBroken) add("probe", "opening again", opening[opening.length - 1]!);
  seq = Math.max(seq, highestSeq);
  chunk = Math.max(chunk, highestChunk);
  for (let i = 0; i < PROBE_MEDIA; i++) {
    if (!strict) seq++;
    add("probe", `media seq ${seq}`, protocol.media(seq, ++chunk));
  }

  if (protocol.stop) {
    if (strict) add("probe", "control to agree on numbers", rng.pick(protocol.controls(++seq)));
    add("stop", "stop", protocol.stop(++seq));
    const after = rng.int(3);
    for (let i = 0; i < after; i++) {
      const media = protocol.media(++seq, ++chunk);
      const message = rng.pick([media, ...protocol.controls(++seq)]);
      const valid = message === media ? VALID_MEDIA_AFTER_STOP : "valid after stop";
      if (rng.chance(0.5)) add("after stop", valid, message);
      else {
        const mutated = mutate(message, protocol, rng);
        add("after stop", `after stop, ${mutated.label}`, mutated.wire);
      }
    }
  }
  return steps;
}

/**
 * Valid media messages after the fuzz. A far end sends media without pause (Plivo: "Sent
 * continuously during the call", its Audio Streaming reference; Exotel "every ~100 ms"), and
 * the reorder stage is driven by that media, with no timer: a hole is given up once the newest
 * packet is more than its window (60 ms, three 20 ms packets) past it, and only then do the packets
 * after it come out. A probe of three packets after a one-packet hole is exactly the window, held
 * until the stop; four give it up, and the fifth is to spare.
 */
export const PROBE_MEDIA = 5;

/** The label of a valid media message sent after the stop. */
const VALID_MEDIA_AFTER_STOP = "valid media after stop";
/** How the transport words a decode error it made of a serializer's non-TransportError. */
const WRAPPED = "serializer failed to read a message";
/** Milliseconds of fake time between two messages: a 20 ms packet's worth. */
const STEP_MS = 20;
/**
 * The longest loss a reorder stage fills with silence (`MediaReorder`'s `maxGapMs`, which no
 * serializer changes): a longer gap is silence the caller never made, allocated in one message.
 */
const MAX_GAP_MS = 5000;
/** Fake milliseconds after the probe for anything paced or timed to settle. */
const PROBE_SETTLE_MS = 1000;

/**
 * Invariants a run may leave out (`--skip a,b`), to look past a known fault for others:
 * `timestamps`, audio frames' `timestampMs` never negative; `end`, the stop message
 * gives an end frame.
 */
export const CHECKS = ["timestamps", "end"] as const;
export type Check = typeof CHECKS[number];

/** Plays `steps` into a fresh session of `protocol` and checks the invariants. */
export async function runSession(
  protocol: InboundProtocol,
  seed: number,
  steps: Step[],
  skip: ReadonlySet<Check> = new Set(),
): Promise<SessionResult> {
  const failures: string[] = [];
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    ...protocol.options,
    ...outlastingCloseTimeout(protocol, steps),
    serializer: protocol.serializer(),
    clock,
  });
  const frames: { frame: Frame; step: number }[] = [];
  let current = -1;
  transport.receive((frame) => {
    frames.push({ frame, step: current });
    // "Where this audio starts on the provider's media timeline, in milliseconds since the stream
    // began" (frames.ts): never before it. (It may step back a little: a provider whose clock is its
    // receipt time jitters so, and its times are taken as they are.)
    const at = frame.type === "audio" ? frame.timestampMs : undefined;
    if (at === undefined || skip.has("timestamps")) return;
    if (!(Number.isFinite(at) && at >= 0)) {
      failures.push(`step ${current}: audio frame with timestampMs ${at}`);
    }
  });
  transport.addEventListener("error", (event) => {
    const error = event.error;
    if (!(error instanceof TransportError)) {
      failures.push(`step ${current}: error event with a non-TransportError: ${String(error)}`);
    } else if (error.message.startsWith(WRAPPED)) {
      // The contract: malformed input throws TransportError("decode"). Anything else escaped the
      // serializer's own checks (a TypeError reading a field of null, a RangeError...), and the
      // transport wrapped it.
      failures.push(`step ${current}: serializer threw ${String(error.cause)}`);
    }
  });

  let afterEndSent = 0;
  /** Of those, the valid media: the stream's own audio, only too late. */
  let mediaAfterEnd = 0;
  let endStep = -1;
  let statsAfterStop = transport.stats;
  // What escapes to the runtime meanwhile: an uncaught exception, an unhandled rejection (one more
  // macrotask given, as Deno reports them between tasks).
  const escaped = await escaping(async () => {
    try {
      for (const [index, step] of steps.entries()) {
        current = index;
        client.send(step.wire);
        await clock.tick(STEP_MS);
        if (step.phase === "probe" && steps[index + 1]?.phase !== "probe") {
          // Time gives up no hole (the probe's own later packets do, see PROBE_MEDIA); a second of
          // it lets anything the transport paces or times settle, then look for the probe's audio.
          await clock.tick(PROBE_SETTLE_MS);
          const probeStart = steps.findIndex((s) => s.phase === "probe");
          const content = protocol.content ?? "audio";
          const heard = frames.some((f) => f.step >= probeStart && f.frame.type === content);
          if (!heard) failures.push(`no ${content} frame from the valid media sent after the fuzz`);
        }
        if (step.phase === "stop") {
          statsAfterStop = transport.stats;
          if (frames.some((f) => f.frame.type === "end")) endStep = index;
        }
        if (step.phase === "after stop") afterEndSent++;
        if (step.label === VALID_MEDIA_AFTER_STOP) mediaAfterEnd++;
      }
      const stats = transport.stats;
      if (stats.messagesIn !== steps.length) {
        failures.push(`stats.messagesIn ${stats.messagesIn}, ${steps.length} messages sent`);
      }
      if (stats.inboundMediaGapMs > MAX_GAP_MS * stats.inboundMediaGapsFilled) {
        failures.push(
          `${stats.inboundMediaGapMs} ms of silence filled in ${stats.inboundMediaGapsFilled} ` +
            `gap(s): one was longer than ${MAX_GAP_MS} ms`,
        );
      }
      if (endStep < 0 && steps.some((s) => s.phase === "stop") && !skip.has("end")) {
        failures.push("the stop message gave no end frame");
      }
      if (protocol.endsStream && endStep >= 0) {
        // The stream's content (media, DTMF, marks) ends with it; what else the far end says after
        // (an unknown event) still goes to the bot as a message frame, by design.
        const late = frames.filter((f) => f.step > endStep && f.frame.type !== "message");
        if (late.length > 0) {
          failures.push(`${late.length} frame(s) after the end frame: ${late[0]!.frame.type}`);
        }
        const passed = new Set(frames.filter((f) => f.step > endStep).map((f) => f.step)).size;
        // Each message after stop is counted once (inboundAfterEnd, or decodeErrors if unreadable)
        // or passed on as a message frame.
        const counted = stats.inboundAfterEnd - statsAfterStop.inboundAfterEnd +
          stats.decodeErrors - statsAfterStop.decodeErrors + passed;
        if (counted !== afterEndSent) {
          failures.push(
            `${afterEndSent} message(s) after stop, ${counted} counted or passed on as messages`,
          );
        }
        // Valid media after the stop is audio of a stream that "has stopped" (Twilio's docs,
        // "Stop message"): readable, and counted after the end, never a decode error nor passed on.
        // What else comes may be any (a mutated message unreadable, or read as after the end first;
        // an event that is no stream content, such as Plivo's `clearedAudio`, passed on).
        const afterEnd = stats.inboundAfterEnd - statsAfterStop.inboundAfterEnd;
        if (afterEnd < mediaAfterEnd) {
          failures.push(`${mediaAfterEnd} valid media after stop, ${afterEnd} inboundAfterEnd`);
        }
      }
      current = steps.length;
      await closeWithin(transport, clock, failures);
    } catch (error) {
      failures.push(`driver threw at step ${current}: ${String(error)}`);
    }
  });
  failures.push(...escaped.map((what) => `escaped the transport: ${what}`));
  const stats = transport.stats;
  return {
    protocol: protocol.name,
    seed,
    steps,
    failures,
    framesIn: stats.framesIn,
    decodeErrors: stats.decodeErrors,
  };
}

/**
 * A close timeout the protocol sets, stretched past the whole session's fake time. This far end
 * never answers a request to close: AudioHook's `disconnect` after a breach, which the serializer
 * follows with an end of its own once `closeTimeoutMs` has passed (genesys.ts, "as it does after a
 * breach's `disconnect`"). A fixed bound (it was a minute) ended every longer session early, on
 * the fuzzer's own clock: at 3000 steps × 20 ms each Genesys seed's later steps were sent into a
 * closed socket. Protocols that set no close timeout keep the transport's default.
 */
function outlastingCloseTimeout(
  protocol: InboundProtocol,
  steps: readonly Step[],
): { closeTimeoutMs?: number } {
  const set = protocol.options.closeTimeoutMs;
  if (set === undefined) return {};
  const sessionMs = steps.length * STEP_MS + PROBE_SETTLE_MS;
  // Twice the session, so that a bound armed at its very first step still ends past its last.
  return { closeTimeoutMs: Math.max(set, 2 * sessionMs) };
}

/** The steps of a failed session, as a replay recipe. */
export function formatFailure(result: SessionResult, fuzzSteps?: number): string {
  const replay = `--protocol ${result.protocol} --seed ${result.seed} --steps ${fuzzSteps ?? "N"}`;
  const lines = [
    `FAIL protocol=${result.protocol} seed=${result.seed} (replay: ${replay})`,
    ...result.failures.map((f) => `  ! ${f}`),
    "  steps:",
    ...result.steps.map((step, i) => {
      const wire = typeof step.wire === "string"
        ? JSON.stringify(step.wire.length > 100 ? `${step.wire.slice(0, 100)}…` : step.wire)
        : `<${step.wire.length} bytes>`;
      return `  ${String(i).padStart(4)} [${step.phase}] ${step.label} ${wire}`;
    }),
  ];
  return lines.join("\n");
}

/** Runs `seeds` seeds from `firstSeed` for a protocol. */
export async function fuzzProtocol(
  protocol: InboundProtocol,
  options: { seeds: number; steps: number; firstSeed?: number; skip?: ReadonlySet<Check> },
): Promise<SessionResult[]> {
  const results: SessionResult[] = [];
  const first = options.firstSeed ?? 1;
  for (let seed = first; seed < first + options.seeds; seed++) {
    const steps = planSession(protocol, seed, options.steps);
    results.push(await runSession(protocol, seed, steps, options.skip));
  }
  return results;
}

/** What `--skip` may name: an invariant, or an impairment of the both-tracks streams. */
const SKIPPABLE: readonly string[] = [...CHECKS, ...IMPAIRMENTS];

/** The command line: `--help` lists it. */
const COMMAND: FuzzCommand = {
  name: "inbound_fuzz",
  usage: "deno run -A tests/fuzz/inbound_fuzz.ts [flags]",
  about: "Plays seeded fuzzed sessions of every protocol (or those named) through a real " +
    "transport and checks the invariants at the top of inbound_fuzz.ts; exits 1 on any failure.",
  flags: {
    protocol: {
      value: "P",
      says: `one protocol: ${[...PROTOCOLS.keys()].join(", ")}; jittered both-tracks streams: ${
        [...BOTH_TRACKS_PROTOCOLS.keys()].join(", ")
      } (default: every protocol but those)`,
    },
    "both-tracks": { says: "the jittered both-tracks streams alone, all three" },
    seeds: { value: "N", says: "how many seeds a protocol (default 8)" },
    steps: {
      value: "N",
      says: "fuzzed messages a session; a both-tracks stream's caller packets (default 100)",
    },
    "first-seed": { value: "N", says: "the first seed, to go on from another run (default 1)" },
    seed: { value: "N", says: "this one seed alone, its steps printed if it fails (a replay)" },
    skip: {
      value: "A,B",
      says: `invariants left out (${CHECKS.join(", ")}) or, on both-tracks streams, ` +
        `impairments (${IMPAIRMENTS.join(", ")}): to look past a fault known`,
    },
  },
};

/** One protocol's run: its failures printed, its line of counts; how many seeds failed. */
async function runProtocol(
  name: string,
  options: { seeds: number; steps: number; firstSeed: number; skip: Set<string> },
): Promise<number | undefined> {
  const { seeds, steps, firstSeed, skip } = options;
  const started = performance.now();
  const both = BOTH_TRACKS_PROTOCOLS.get(name);
  let summary: string;
  let failed: number;
  if (both) {
    const leaveOut = new Set(IMPAIRMENTS.filter((i) => skip.has(i)) as Impairment[]);
    const results = await fuzzBothTracks(both, { seeds, steps, firstSeed, leaveOut });
    const bad = results.filter((r) => r.failures.length > 0);
    for (const result of bad) console.log(formatBothTracksFailure(result, steps));
    const heard = results.reduce((n, r) => n + r.heard, 0);
    const dropped = results.reduce((n, r) => n + r.dropped, 0);
    failed = bad.length;
    summary = `packets heard ${heard}, dropped ${dropped}`;
  } else {
    const protocol = PROTOCOLS.get(name);
    if (!protocol) return undefined;
    const checks = new Set([...skip] as Check[]);
    const results = await fuzzProtocol(protocol, { seeds, steps, firstSeed, skip: checks });
    const bad = results.filter((r) => r.failures.length > 0);
    for (const result of bad) console.log(formatFailure(result, steps));
    const frames = results.reduce((n, r) => n + r.framesIn, 0);
    const decodeErrors = results.reduce((n, r) => n + r.decodeErrors, 0);
    failed = bad.length;
    summary = `frames ${frames}, decode errors ${decodeErrors}`;
  }
  const ms = Math.round(performance.now() - started);
  console.log(
    `${name.padEnd(8)} seeds ${firstSeed}..${firstSeed + seeds - 1} × ${steps} steps: ` +
      `${failed ? `${failed} FAILED` : "ok"} (${summary}, ${ms} ms)`,
  );
  return failed;
}

async function main(args: string[]): Promise<number> {
  const flags = readFlags(args, COMMAND);
  if ("exit" in flags) return flags.exit as number;
  const value = (name: string) => flags[name] as string | undefined;
  // Every protocol by default; `--both-tracks`, the jittered both-tracks streams alone.
  const names = value("protocol")
    ? [value("protocol")!]
    : flags["both-tracks"]
    ? [...BOTH_TRACKS_PROTOCOLS.keys()]
    : [...PROTOCOLS.keys()];
  const steps = Number(value("steps") ?? 100);
  const seeds = value("seed") !== undefined ? 1 : Number(value("seeds") ?? 8);
  const firstSeed = Number(value("seed") ?? value("first-seed") ?? 1);
  const skip = new Set((value("skip") ?? "").split(",").filter(Boolean));
  // A misspelt name would leave nothing out, and the fault looked past would fail the run again.
  const unknown = [...skip].filter((name) => !SKIPPABLE.includes(name));
  if (unknown.length > 0) {
    console.error(`inbound_fuzz: --skip ${unknown.join(",")}: known: ${SKIPPABLE.join(", ")}`);
    return 2;
  }
  let failed = 0;
  for (const name of names) {
    const bad = await runProtocol(name, { seeds, steps, firstSeed, skip });
    if (bad === undefined) {
      const known = [...PROTOCOLS.keys(), ...BOTH_TRACKS_PROTOCOLS.keys()];
      console.error(`unknown protocol ${name}; known: ${known.join(", ")}`);
      return 2;
    }
    failed += bad;
  }
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
