/**
 * Runs one scripted session of the bot's audio on the fake clock and writes down everything it
 * shows: what reached the far end and when, the speaking events, `transport.playback` and
 * `transport.stats` after every step, the interruptions' results, the marks the far end answered.
 * The same script run with the audio handed in differently (`Lane`) must write down the same
 * record: that is the differential test of the outbound pump's two lanes
 * (`outbound_lanes_agree_test.ts`).
 *
 * @module
 */

import type { Frame, SerializerContext, TransportStats } from "../mod.ts";
import { RawPcmSerializer, WebSocketTransport } from "../mod.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import type { LastPacketPolicy } from "../src/streams/packetizer.ts";
import { type FakeClock, type MemorySocket, MemorySocketPair } from "../src/testing/mod.ts";
import { StallClock } from "./_stall_clock.ts";
import { Prng } from "./fuzz/prng.ts";

/** The wire rate (Twilio's 8 kHz) and the chunk. */
const WIRE_RATE = 8000;
const CHUNK_MS = 20;

/**
 * How the bot hands in each run of whole chunks written in one turn: one `send` per chunk (the
 * pump's real-time lane takes a lone chunk that is due), each chunk as two halves, or frames of a
 * chunk and a half (the chunker's lane). A fair comparison: a half-frame waits in the chunker
 * for its other half, so every step writes all its frames in one turn, before any tick, and the
 * lanes cut only whole chunks; the part-chunk that ends a reply is one frame, the same in every
 * lane. Between steps the chunker holds the same bytes in every lane, and nothing can leave later
 * in one lane than in another.
 */
export type Lane = "whole" | "halves" | "chunkAndHalf";

/** One step of a script. */
export type Step =
  | {
    op: "write";
    chunks: number;
    responseId: string | undefined;
    /** Bytes of a reply's last part-chunk, its own frame after the whole chunks, in every lane. */
    tailBytes: number;
  }
  | { op: "tick"; ms: number }
  | { op: "interrupt" }
  | { op: "mark"; name: string }
  | { op: "pause"; paused: boolean }
  /** The far end stops reading (sends wait for its socket to drain), or reads again. */
  | { op: "reading"; stalled: boolean };

/** A session and what happens in it. */
export interface Scenario {
  seed: number;
  serializer: "raw" | "twilio";
  fixedAudioPacketSize: number | undefined;
  lastPacket: LastPacketPolicy;
  sendAheadMs: number | undefined;
  /** The bot's audio rate: Twilio's serializer resamples 16 kHz to the wire's 8 kHz. */
  rate: number;
  /**
   * What the speaking-event listeners do: nothing; write one more chunk of the response (the
   * first time it starts), in the lane's frames, from inside the event; or work `ms` on the
   * session's clock (synchronous work, `StallClock.block`).
   */
  listeners: "idle" | "write" | { workMs: number };
  /** The session ends with an `end` frame (else `close()`). */
  endFrame: boolean;
  /** The far end's jitter buffer: audio plays this long after it arrives. */
  jitterMs: number;
  steps: Step[];
}

/**
 * Draws a scenario from `seed`: real-time speech, bursts, silences, interruptions, new ids.
 * `listenersWork`: the speaking-event listeners work on the clock (else they idle or write).
 */
export function scenario(seed: number, listenersWork = false): Scenario {
  const r = new Prng(seed);
  const serializer = r.chance(0.5) ? "twilio" : "raw";
  const fixedAudioPacketSize = serializer === "raw"
    ? r.pick([undefined, undefined, 100, 200, 480])
    : undefined;
  const lastPacket = r.pick<LastPacketPolicy>(["pad", "short", "drop"]);
  const sendAheadMs = r.pick([undefined, 40, 60, 120]);
  const jitterMs = r.pick([0, 60]);
  const rate = serializer === "twilio" && r.chance(0.4) ? 16000 : WIRE_RATE;
  const chunkBytes = (rate * 2 * CHUNK_MS) / 1000;
  const listeners: Scenario["listeners"] = listenersWork
    ? { workMs: r.pick([3, 30]) }
    : r.pick(["idle", "idle", "write"]);
  const endFrame = r.chance(0.3);
  const steps: Step[] = [];
  let reply = 1;
  let responseId: string | undefined = r.chance(0.2) ? undefined : `r${reply}`;
  let paused = false;
  let stalled = false;
  const segments = 6 + r.int(8);
  for (let s = 0; s < segments; s++) {
    const what = r.next();
    if (what < 0.3) {
      // Real time, with a little jitter: one chunk a turn, about a chunk apart.
      const chunks = 1 + r.int(15);
      for (let i = 0; i < chunks; i++) {
        const last = i === chunks - 1;
        steps.push({
          op: "write",
          chunks: 1,
          responseId,
          tailBytes: last ? tail(r, chunkBytes) : 0,
        });
        steps.push({ op: "tick", ms: CHUNK_MS - 5 + r.int(11) });
      }
    } else if (what < 0.5) {
      const chunks = 2 + r.int(30);
      steps.push({ op: "write", chunks, responseId, tailBytes: tail(r, chunkBytes) }); // ahead
      steps.push({ op: "tick", ms: 1 + r.int(200) });
    } else if (what < 0.65) {
      // Silence: often longer than the quiet time (the tail, the speaking stop).
      steps.push({ op: "tick", ms: r.pick([5, 50, 150, 400, 1500]) });
    } else if (what < 0.75) {
      steps.push({ op: "interrupt" });
      if (r.chance(0.8)) responseId = `r${++reply}`; // else what still comes for it is stale
    } else if (what < 0.85) {
      responseId = r.chance(0.1) ? undefined : `r${++reply}`;
    } else if (what < 0.9) {
      steps.push({ op: "mark", name: `m${s}` });
    } else if (what < 0.95) {
      stalled = !stalled;
      steps.push({ op: "reading", stalled });
    } else {
      paused = !paused;
      steps.push({ op: "pause", paused });
    }
  }
  if (paused) steps.push({ op: "pause", paused: false });
  if (stalled) steps.push({ op: "reading", stalled: false });
  return {
    seed,
    serializer,
    fixedAudioPacketSize,
    lastPacket,
    sendAheadMs,
    rate,
    listeners,
    endFrame,
    jitterMs,
    steps,
  };
}

/** A reply's last part-chunk, now and then (whole samples): its end is not a chunk's. */
function tail(r: Prng, chunkBytes: number): number {
  return r.chance(0.3) ? 2 * (1 + r.int(chunkBytes / 2 - 1)) : 0;
}

/** Raw PCM whose far end, in the test, asks it to pause (as Asterisk's `MEDIA_XOFF` does). */
class PausingPcm extends RawPcmSerializer {
  context: SerializerContext | undefined;
  bind(context: SerializerContext): void {
    this.context = context;
  }
}

/** Twilio's serializer, the far end able to pause it as above (Twilio itself never does). */
class PausingTwilio extends TwilioSerializer {
  context: SerializerContext | undefined;
  override bind(context: SerializerContext): void {
    super.bind(context);
    this.context = context;
  }
}

/**
 * Twilio's side of a bidirectional Media Stream, reduced to what the transport's marks need, as
 * twilio.com/docs/voice/media-streams/websocket-messages documents it: `media` (base64 μ-law at
 * 8 kHz, one byte a sample) plays in the order sent; a `mark` sent after media comes back, with
 * its name, once the media sent before it has played (at once if none is buffered); `clear`
 * empties the buffer, and the marks still waiting are sent back then. Raw PCM sessions get a far
 * end that only receives. Both write down what arrives, with the time.
 */
class FarEnd {
  readonly #clock: FakeClock;
  readonly #socket: MemorySocket;
  readonly #log: string[];
  readonly #jitterMs: number;
  #playsUntil = 0;
  #waiting: { name: string; answered: boolean }[] = [];

  constructor(
    clock: FakeClock,
    socket: MemorySocket,
    log: string[],
    twilio: boolean,
    jitterMs: number,
  ) {
    this.#clock = clock;
    this.#socket = socket;
    this.#log = log;
    this.#jitterMs = jitterMs;
    socket.binaryType = "arraybuffer";
    socket.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data as string | ArrayBuffer;
      if (typeof data !== "string") {
        log.push(`${clock.now()} wire binary ${digest(new Uint8Array(data))}`);
        return;
      }
      log.push(`${clock.now()} wire ${data}`);
      if (twilio) this.#twilio(JSON.parse(data));
    });
  }

  #twilio(message: { event: string; media?: { payload: string }; mark?: { name: string } }): void {
    const now = this.#clock.now();
    if (message.event === "media") {
      const ms = atob(message.media!.payload).length / (WIRE_RATE / 1000);
      this.#playsUntil = Math.max(now + this.#jitterMs, this.#playsUntil) + ms;
    } else if (message.event === "mark") {
      const mark = { name: message.mark!.name, answered: false };
      this.#waiting.push(mark);
      void this.#clock.sleep(Math.max(0, this.#playsUntil - now)).then(() => this.#answer(mark));
    } else if (message.event === "clear") {
      this.#playsUntil = now;
      for (const mark of this.#waiting.splice(0)) this.#answer(mark);
    }
  }

  #answer(mark: { name: string; answered: boolean }): void {
    if (mark.answered) return;
    mark.answered = true;
    this.#waiting = this.#waiting.filter((m) => m !== mark);
    if (this.#socket.readyState !== 1) return;
    this.#log.push(`${this.#clock.now()} far end answers mark ${mark.name}`);
    this.#socket.send(
      JSON.stringify({ event: "mark", streamSid: "MZ1", mark: { name: mark.name } }),
    );
  }
}

/** Bytes, shortly and exactly enough to tell two apart: length and FNV-1a. */
function digest(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `${bytes.length}:${hash.toString(16)}`;
}

/**
 * Chunk `index` of the script's audio: PCM16 at a level of its own (distinct bytes per chunk, so
 * that audio sent out of order or twice shows on the wire), never silence.
 */
function chunkAudio(index: number, chunkBytes: number): Uint8Array {
  const samples = new Int16Array(chunkBytes / 2).fill(500 + ((index * 97) % 6000));
  return new Uint8Array(samples.buffer);
}

/**
 * The frames a write of `chunks` chunks (from chunk `first`) and a part-chunk of `tailBytes` is
 * handed in as, in `lane`: the whole chunks cut by the lane, the part-chunk its own frame after
 * them in every lane.
 */
function framesOf(
  lane: Lane,
  first: number,
  step: { chunks: number; tailBytes: number },
  chunkBytes: number,
): Uint8Array[] {
  const all = new Uint8Array(step.chunks * chunkBytes);
  for (let i = 0; i < step.chunks; i++) all.set(chunkAudio(first + i, chunkBytes), i * chunkBytes);
  const size = lane === "whole"
    ? chunkBytes
    : lane === "halves"
    ? chunkBytes / 2
    : chunkBytes * 1.5;
  const frames: Uint8Array[] = [];
  for (let at = 0; at < all.length; at += size) frames.push(all.slice(at, at + size));
  if (step.tailBytes > 0) {
    frames.push(chunkAudio(first + step.chunks, chunkBytes).slice(0, step.tailBytes));
  }
  return frames;
}

/**
 * The counters compared: all but `framesOut`, which counts the frames handed in (each lane hands
 * in the same audio as a different number of frames, by definition).
 */
function comparedStats(stats: TransportStats): string {
  const { framesOut: _handedIn, ...rest } = stats;
  return JSON.stringify(rest);
}

/** What a run of a scenario in one lane showed. */
export interface LaneRecord {
  log: string[];
  /** Frames handed to `send`, and `stats.framesOut` at the end: equal. */
  framesHandedIn: number;
  framesOut: number;
}

/** Runs `scenario` with its audio handed in as `lane`; returns the record. */
export async function runLane(scenario: Scenario, lane: Lane): Promise<LaneRecord> {
  const clock = new StallClock();
  const pair = new MemorySocketPair();
  const twilio = scenario.serializer === "twilio";
  const serializer = twilio ? new PausingTwilio({ streamSid: "MZ1" }) : new PausingPcm();
  const rate = scenario.rate;
  const chunkBytes = (rate * 2 * CHUNK_MS) / 1000;
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    clock,
    audioIn: { sampleRate: WIRE_RATE },
    audioOut: { sampleRate: rate, chunkMs: CHUNK_MS },
    maxQueuedMs: 60_000,
    // A few chunks' messages: a far end that stops reading makes the sends wait.
    maxBufferedBytes: 1000,
    lastPacket: scenario.lastPacket,
    ...(scenario.fixedAudioPacketSize && { fixedAudioPacketSize: scenario.fixedAudioPacketSize }),
    ...(scenario.sendAheadMs && { sendAheadMs: scenario.sendAheadMs }),
  });
  const log: string[] = [];
  new FarEnd(clock, pair.client, log, twilio, scenario.jitterMs);
  let framesHandedIn = 0;
  let nextChunk = 0;
  const write = (step: { chunks: number; tailBytes: number; responseId: string | undefined }) => {
    // All of the write's frames in this one turn (see `Lane`).
    for (const audio of framesOf(lane, nextChunk, step, chunkBytes)) {
      framesHandedIn++;
      const frame: Frame = { type: "audio", audio, sampleRate: rate, channels: 1 };
      if (step.responseId !== undefined) frame.responseId = step.responseId;
      transport.send(frame);
    }
    nextChunk += step.chunks + (step.tailBytes > 0 ? 1 : 0);
  };
  const extended = new Set<string | undefined>();
  for (const type of ["speakingstart", "speakingstop"] as const) {
    transport.addEventListener(type, (e) => {
      const { responseId, heardMs, sentMs, acknowledged, reason } = e;
      const init = { responseId, heardMs, sentMs, acknowledged, reason };
      log.push(`${clock.now()} ${type} ${JSON.stringify(init)}`);
      const listeners = scenario.listeners;
      if (listeners === "idle") return;
      if (listeners !== "write") return clock.block(listeners.workMs);
      if (type === "speakingstart" && !extended.has(responseId)) {
        extended.add(responseId);
        write({ chunks: 1, tailBytes: 0, responseId });
      }
    });
  }
  transport.addEventListener("staleaudio", (e) => {
    log.push(`${clock.now()} staleaudio ${e.responseId}`);
  });
  transport.addEventListener("error", (e) => {
    log.push(`${clock.now()} error ${e.error.code} ${e.error.message}`);
  });
  transport.receive((frame: Frame) =>
    log.push(`${clock.now()} bot reads ${JSON.stringify(frame)}`)
  );
  await clock.tick(0); // open
  const snapshot = (what: string) => {
    log.push(`${clock.now()} ${what}: playback ${JSON.stringify(transport.playback)}`);
    log.push(`${clock.now()} stats ${comparedStats(transport.stats)}`);
  };
  for (const [i, step] of scenario.steps.entries()) {
    switch (step.op) {
      case "write":
        write(step);
        break;
      case "tick":
        await clock.tick(step.ms);
        break;
      case "interrupt": {
        const at = clock.now();
        void transport.interrupt().then((result) => {
          log.push(`${clock.now()} interrupted at ${at}: ${JSON.stringify(result)}`);
        });
        break;
      }
      case "mark":
        framesHandedIn++;
        transport.send({ type: "mark", name: step.name });
        break;
      case "pause":
        serializer.context!.pauseSending!(step.paused);
        break;
      case "reading":
        if (step.stalled) pair.client.stall();
        else pair.client.resume();
        break;
    }
    snapshot(`after step ${i} ${JSON.stringify(step)}`);
  }
  await clock.tick(3000); // everything plays out, every mark is answered
  snapshot("played out");
  if (scenario.endFrame) {
    framesHandedIn++;
    void transport.send({ type: "end" });
  } else void transport.close();
  await clock.tick(5000);
  const closed = await transport.closed;
  log.push(
    `${clock.now()} closed ${JSON.stringify(closed)} stats ${comparedStats(transport.stats)}`,
  );
  return { log, framesHandedIn, framesOut: transport.stats.framesOut };
}

/**
 * Where two records first differ, with the lines before it for context; `undefined` when they
 * agree.
 */
export function divergence(a: LaneRecord, b: LaneRecord, names: [Lane, Lane]): string | undefined {
  const length = Math.max(a.log.length, b.log.length);
  for (let i = 0; i < length; i++) {
    if (a.log[i] === b.log[i]) continue;
    const context = a.log.slice(Math.max(0, i - 4), i).map((line) => `  ${clip(line)}`);
    return [
      `first difference at line ${i}, after:`,
      ...context,
      `${names[0]}: ${clip(a.log[i])}`,
      `${names[1]}: ${clip(b.log[i])}`,
    ].join("\n");
  }
  return undefined;
}

function clip(line: string | undefined): string {
  if (line === undefined) return "(nothing)";
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}
