// The hooks recording, metrics and background audio stand on: observers and the mixer slot.
import assert from "node:assert/strict";
import {
  type AudioFrame,
  type MixerFormat,
  type OutboundAudioInfo,
  type OutboundMixer,
  RawPcmSerializer,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import type { TransportOptions } from "../src/transport_options.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";

/** Background of bytes 9; mixing adds 100 to every speech byte, so both are visible on the wire. */
class TestMixer implements OutboundMixer {
  format: MixerFormat | undefined;
  wake: (() => void) | undefined;
  on = true;
  detached = 0;
  attach(format: MixerFormat, wake: () => void): void {
    this.format = format;
    this.wake = wake;
  }
  mix(chunk: AudioFrame): AudioFrame {
    return { ...chunk, audio: chunk.audio.map((b) => b + 100) };
  }
  fill(): AudioFrame | undefined {
    if (!this.on || this.format === undefined) return undefined;
    const bytes = (this.format.sampleRate * this.format.chunkMs / 1000) * 2;
    return { type: "audio", audio: new Uint8Array(bytes).fill(9), sampleRate: 16000, channels: 1 };
  }
  detach(): void {
    this.detached++;
  }
}

function call(options: TransportOptions = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
    ...options,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 20, bytesPerMs: 32 });
  return { clock, pair, transport, farEnd };
}

const speech = (ms: number, responseId = "r"): AudioFrame => ({
  type: "audio",
  audio: new Uint8Array(ms * 32).fill(1),
  sampleRate: 16000,
  channels: 1,
  responseId,
});

Deno.test("background fills every silence at the pacing rate and lies under the speech", async () => {
  const mixer = new TestMixer();
  const c = call({ background: mixer });
  await c.clock.tick(1000);
  assert.deepEqual(mixer.format, { sampleRate: 16000, channels: 1, chunkMs: 20 });
  assert.ok(Math.abs(c.farEnd.playedMs(9) - 1000) <= 40, `background ${c.farEnd.playedMs(9)} ms`);
  c.transport.send(speech(500));
  await c.clock.tick(1000);
  assert.equal(c.farEnd.playedMs(101), 500, "speech with the background under it");
  const gaps = c.farEnd.played.slice(1).filter((span, i) => {
    const before = c.farEnd.played[i]!;
    return span.at - (before.at + before.ms) > 0.001;
  });
  assert.deepEqual(gaps, [], "no silence at the far end: background through it all");
  assert.equal(c.transport.stats.audioChunksSent, c.farEnd.arrivals.length);
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.equal(mixer.detached, 1);
  assert.equal(c.clock.pendingTimers, 0, "no timer left when the session ends");
});

Deno.test("background goes on through an interruption with no gap longer than a chunk", async () => {
  const mixer = new TestMixer();
  const c = call({ background: mixer });
  await c.clock.tick(100);
  c.transport.send(speech(2000));
  await c.clock.tick(700);
  await c.transport.interrupt();
  await c.clock.tick(1000);
  const spans = c.farEnd.played.filter((s) => s.ms > 0);
  let longest = 0;
  for (let i = 1; i < spans.length; i++) {
    longest = Math.max(longest, spans[i]!.at - (spans[i - 1]!.at + spans[i - 1]!.ms));
  }
  assert.ok(longest <= 20, `longest gap ${longest} ms`);
  assert.ok(c.farEnd.playedMs(9, c.clock.now()) >= 900, "background after the interruption");
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("a background with nothing to play idles the sender until it wakes it", async () => {
  const mixer = new TestMixer();
  mixer.on = false;
  const c = call({ background: mixer });
  await c.clock.tick(500);
  assert.equal(c.farEnd.arrivals.length, 0);
  assert.equal(c.clock.pendingTimers, 0, "no timer while idle");
  mixer.on = true;
  mixer.wake!();
  await c.clock.tick(500);
  assert.ok(c.farEnd.playedMs(9) >= 460);
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("observers see inbound audio, outbound chunks on the timeline, interruptions and the end", async () => {
  const c = call();
  const seen: string[] = [];
  const infos: OutboundAudioInfo[] = [];
  const stop = c.transport.observe({
    inboundAudio: (frame, at) => seen.push(`in ${frame.audio.length}@${at}`),
    outboundAudio: (_chunk, info) => infos.push(info),
    interrupted: (info) => seen.push(`cut ${info.heardPosition}@${info.at}`),
    closed: (closed) => seen.push(`closed ${closed.code}`),
  });
  await c.clock.tick(0);
  c.pair.client.send(new Uint8Array(640));
  await c.clock.tick(10);
  c.transport.send(speech(100));
  await c.clock.tick(50);
  await c.transport.interrupt();
  await c.clock.tick(10);
  stop();
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.equal(seen[0], "in 640@0");
  assert.match(seen[1]!, /^cut \d+(\.\d+)?@60$/);
  assert.equal(seen.length, 2, "stopped observing before the end");
  assert.deepEqual(infos.map((i) => i.position), [0, 20, 40, 60]);
  assert.ok(infos.every((i) => i.speech && i.durationMs === 20));
  assert.deepEqual(infos.map((i) => i.deadline), [10, 10, 30, 50]);
  assert.ok(infos.every((i) => i.sentAt >= i.deadline && i.playsAt >= i.sentAt));
});

Deno.test("background on raw PCM (no clear: the far end plays on) goes on through interruptions with no gap at all", async () => {
  // Raw PCM cannot clear the far end, so the pacing clock is kept: the background must follow
  // what was sent, chunk after chunk, as if there had been no interruption.
  const mixer = new TestMixer();
  const c = call({ background: mixer, serializer: new RawPcmSerializer() });
  await c.clock.tick(100);
  for (let i = 0; i < 5; i++) {
    c.transport.send(speech(600, `r${i}`));
    await c.clock.tick(300);
    await c.transport.interrupt();
    await c.clock.tick(300);
  }
  await c.clock.tick(500);
  const spans = c.farEnd.played.filter((s) => s.ms > 0);
  let longest = 0;
  for (let i = 1; i < spans.length; i++) {
    longest = Math.max(longest, spans[i]!.at - (spans[i - 1]!.at + spans[i - 1]!.ms));
  }
  assert.equal(longest, 0, `longest gap ${longest} ms`);
  // And the sender kept up: what arrived is what real time asks for, less the far end's delay.
  const now = c.clock.now();
  assert.ok(c.farEnd.playsUntil >= now, `audio plays until ${c.farEnd.playsUntil}, now ${now}`);
  c.pair.client.close(1000);
  await c.transport.closed;
});

Deno.test("an observer that stops observing while told of something leaves the others told", async () => {
  const c = call();
  const told: string[] = [];
  const stops: (() => void)[] = [];
  for (const name of ["a", "b", "c"]) {
    stops.push(c.transport.observe({
      // "a" stops on its first chunk and at the end (as SessionMetrics detaches when told).
      outboundAudio: () => {
        told.push(`${name} chunk`);
        if (name === "a") stops[0]!();
      },
      closed: () => {
        told.push(`${name} closed`);
        stops[["a", "b", "c"].indexOf(name)]!();
      },
    }));
  }
  await c.clock.tick(0);
  c.transport.send(speech(20));
  await c.clock.tick(40);
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.deepEqual(told, ["a chunk", "b chunk", "c chunk", "b closed", "c closed"]);
});

Deno.test("an observer given twice is told each event once, and either function returned stops it", async () => {
  const c = call();
  const told: string[] = [];
  const observer = {
    inboundAudio: (frame: AudioFrame) => void told.push(`in ${frame.audio.length}`),
    closed: () => void told.push("closed"),
  };
  const first = c.transport.observe(observer);
  c.transport.observe(observer);
  await c.clock.tick(0);
  c.pair.client.send(new Uint8Array(640));
  await c.clock.tick(10);
  assert.deepEqual(told, ["in 640"], "told once, not once a time it was given");
  first();
  c.pair.client.send(new Uint8Array(320));
  await c.clock.tick(10);
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.deepEqual(told, ["in 640"], "the first function stopped it, though given twice");
});

Deno.test("an observer added after the session ended is told the end, so what waits on it ends too", async () => {
  const c = call();
  c.pair.client.close(4000, "bye");
  await c.transport.closed;
  const told = await new Promise((resolve) => c.transport.observe({ closed: resolve }));
  assert.deepEqual(told, { code: 4000, reason: "bye", initiator: "remote" });
});

Deno.test("an observer given twice is told the end once, whether given before the end or after it", async () => {
  const c = call();
  const told: string[] = [];
  const early = { closed: () => void told.push("early closed") };
  const late = { closed: () => void told.push("late closed") };
  c.transport.observe(early);
  c.transport.observe(early);
  await c.clock.tick(0);
  c.pair.client.close(1000);
  await c.transport.closed;
  c.transport.observe(early); // told the end already, while it observed
  c.transport.observe(late);
  c.transport.observe(late);
  await c.clock.runAll();
  assert.deepEqual(told, ["early closed", "late closed"], "each told the end once");
});

Deno.test("an observer that throws ends its session with 1011, as an application error, once; the others are still told", async () => {
  for (const method of ["inboundAudio", "outboundAudio", "closed"] as const) {
    const clock = new FakeClock();
    const { server, client } = new MemorySocketPair();
    const transport = new WebSocketTransport(server, {
      audioIn: { sampleRate: 16000 },
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      clock,
    });
    const errors: TransportError[] = [];
    transport.addEventListener("error", (event) => errors.push(event.error));
    transport.receive((frame) => void transport.send(frame));
    const told: string[] = [];
    transport.observe({
      [method]: () => {
        throw new Error(`${method} bug`);
      },
    });
    transport.observe({
      inboundAudio: () => void told.push("inboundAudio"),
      outboundAudio: () => void told.push("outboundAudio"),
      closed: () => void told.push("closed"),
    });
    await clock.tick(1);
    // A socket's message listener: an exception here escaped and ended the process.
    client.send(new Uint8Array(640));
    client.send(new Uint8Array(640));
    await clock.tick(100);
    if (method === "closed") client.close(1000);
    const closed = await transport.closed;
    await clock.tick(10);
    assert.deepEqual(errors.map((e) => [e.code, e.fatal]), [["application", true]], method);
    // The inbound audio frame an observer threw on never reached the bot: the session was
    // closing by then, so it is counted as dropped on close.
    const dropped = method === "inboundAudio" ? 1 : 0;
    assert.equal(transport.stats.inboundFramesDroppedOnClose, dropped, method);
    assert.match(errors[0]!.message, new RegExp(`${method} bug`));
    if (method !== "closed") assert.equal(closed.code, 1011, method);
    // Told of what the first one threw on (the session ended on it), and of the end.
    for (const event of new Set([method, "closed"])) {
      assert.ok(told.includes(event), `${method}: the other observer was told of ${event}`);
    }
  }
});
