// A reply whose length is not whole chunks leaves less than a chunk held back at its end. Written
// ahead of real time (TTS), that end must leave in time to follow the rest without a gap, and the
// reply must be one spell: one speakingstart, one speakingstop once all of it has played. Audio
// that keeps coming (a real-time source, a TTS stream keeping pace) must still make whole chunks:
// a short chunk mid-reply is one message more, and silence where the protocol pads it.
import assert from "node:assert/strict";
import type { Frame } from "../../src/frames.ts";
import type { DeserializeResult, FrameSerializer, SerializeResult } from "../../src/serializer.ts";
import { BackgroundAudio } from "../../src/mixing/background_audio.ts";
import { RawPcmSerializer } from "../../src/serializers/raw_pcm.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { SessionMetrics } from "../../src/metrics/session_metrics.ts";
import type { SerializerContext } from "../../src/serializer.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import type { SpeakingEvent } from "../../src/playback.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { speech as phoneSpeech, startCall } from "./_provider_call.ts";

const RATE = 24000;
const bytesOf = (ms: number) => (RATE / 1000) * ms * 2;

/**
 * Where a far end with no buffer of its own, playing each message as it arrives, would run dry:
 * what the transport's pacing must avoid within a reply.
 */
function gapsOf(arrivals: { at: number; ms: number }[]): string[] {
  const gaps: string[] = [];
  let playhead = NaN;
  for (const { at, ms } of arrivals) {
    if (at > playhead + 1e-6) gaps.push(`${at - playhead} ms before the ${ms} ms at ${at}`);
    playhead = (Number.isNaN(playhead) || at > playhead ? at : playhead) + ms;
  }
  return gaps;
}

/** `ms` of the bot's speech, for response r1. */
function speech(ms: number) {
  const audio = new Uint8Array(bytesOf(ms)).fill(1);
  return { type: "audio" as const, audio, sampleRate: RATE, channels: 1, responseId: "r1" };
}

/** Raw PCM whose audio leaves a turn later (a promise): allowed, and no built-in one does it. */
class AsyncRawPcm implements FrameSerializer {
  readonly #raw = new RawPcmSerializer();
  serialize(frame: Frame): SerializeResult {
    const out = this.#raw.serialize(frame);
    return frame.type === "audio" ? Promise.resolve(out) : out;
  }
  deserialize(data: string | Uint8Array): DeserializeResult {
    return this.#raw.deserialize(data);
  }
}

/** Raw PCM whose far end can ask it to stop sending for a while (Asterisk's MEDIA_XOFF/XON). */
class PausableRawPcm implements FrameSerializer {
  readonly #raw = new RawPcmSerializer();
  context: SerializerContext | undefined;
  bind(context: SerializerContext): void {
    this.context = context;
  }
  serialize(frame: Frame): SerializeResult {
    return this.#raw.serialize(frame);
  }
  deserialize(data: string | Uint8Array): DeserializeResult {
    return this.#raw.deserialize(data);
  }
}

function session(
  chunkMs: number | undefined,
  more: {
    background?: BackgroundAudio;
    serializer?: FrameSerializer;
    sendAheadMs?: number;
    fixedAudioPacketSize?: number;
  } = {},
) {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    clock,
    audioOut: { sampleRate: RATE, ...(chunkMs === undefined ? {} : { chunkMs }) },
    ...more,
  });
  const arrivals: { at: number; ms: number }[] = [];
  client.addEventListener("message", (e) => {
    const data = (e as MessageEvent).data;
    if (typeof data === "string") return;
    const bytes = (data as ArrayBuffer).byteLength;
    arrivals.push({ at: clock.now(), ms: bytes / bytesOf(1) });
  });
  const events: string[] = [];
  for (const type of ["speakingstart", "speakingstop"] as const) {
    transport.addEventListener(type, (e: SpeakingEvent) => {
      events.push(`${type} at ${clock.now()} heard ${e.heardMs} sent ${e.sentMs}`);
    });
  }
  return { clock, client, transport, arrivals, events };
}

Deno.test("a TTS reply of 500 ms in 100 ms pieces (40 ms chunks) is one spell, its 20 ms end on time", async () => {
  const s = session(undefined); // chunkMs 40 by default, sendAheadMs the same
  for (let piece = 0; piece < 5; piece++) {
    void s.transport.send(speech(100)); // all at once, as fast as a TTS service answers
  }
  await s.clock.tick(1000);
  // Twelve chunks of 40 ms, then the 20 ms end: it leaves as the 480 ms sent run out at the far
  // end (the last full chunk left at 440 and plays until 480), not the quiet time after.
  assert.deepEqual(s.arrivals.map((a) => a.ms), [...Array(12).fill(40), 20]);
  const end = s.arrivals[12]!;
  assert.ok(
    end.at <= 480,
    `the end left at ${end.at} ms, after the reply before it ran out at 480`,
  );
  // One spell: it stops once all 500 ms have played and the queue has stayed dry for the quiet
  // time (80 ms: two chunks) since the end left.
  assert.deepEqual(s.events, [
    "speakingstart at 0 heard 0 sent 40",
    `speakingstop at ${end.at + 80} heard 500 sent 500`,
  ]);
  assert.ok(end.at + 80 >= 500);
  s.client.close(1000);
  await s.clock.runAll();
});

for (const serializer of [RawPcmSerializer, AsyncRawPcm]) {
  Deno.test(`${serializer.name}: a real-time source's frames of 30 ms (40 ms chunks) still go as whole chunks`, async () => {
    const s = session(40, { serializer: new serializer() });
    await s.clock.tick(10);
    for (let frame = 0; frame < 8; frame++) {
      s.transport.send(speech(30));
      await s.clock.tick(30);
    }
    await s.clock.tick(1000);
    // 240 ms: six whole chunks; its end is only known once no frame has come for a while.
    assert.deepEqual(s.arrivals.map((a) => a.ms), [40, 40, 40, 40, 40, 40]);
    assert.equal(
      s.events.filter((e) => e.startsWith("speakingstop")).length,
      1,
      s.events.join("\n"),
    );
    s.client.close(1000);
    await s.clock.runAll();
  });
}

Deno.test("a relay writing 70 ms pieces every 70 ms (40 ms chunks) sends whole chunks but the last", async () => {
  const s = session(undefined);
  await s.clock.tick(0);
  for (let piece = 0; piece < 20; piece++) {
    void s.transport.send(speech(70));
    await s.clock.tick(70);
  }
  await s.clock.tick(1000);
  const sizes = s.arrivals.map((a) => a.ms);
  assert.deepEqual(sizes.slice(0, -1).filter((ms) => ms !== 40), [], sizes.join(","));
  assert.equal(sizes.reduce((a, b) => a + b, 0), 1400);
  s.client.close(1000);
  await s.clock.runAll();
});

Deno.test("Telnyx: 150 ms TTS pieces every 135 ms: no silence padded into the reply", async () => {
  // Telnyx pads any message under 20 ms: a short chunk mid-reply would be silence heard.
  const telnyx = new TelnyxSerializer();
  const call = startCall(
    { protocol: "telnyx", serializer: () => telnyx, rate: 8000, chunkMs: 20 },
    { jitterMs: 60, returnMs: 20 },
    { hangUpAtMs: 5000 },
  );
  await call.clock.tick(500);
  for (let piece = 0; piece < 10; piece++) {
    call.transport.send(phoneSpeech(150, 8000, "r1"));
    await call.clock.tick(135);
  }
  await call.clock.tick(6000);
  await call.report;
  assert.equal(
    telnyx.paddedMessages,
    0,
    `${telnyx.paddingBytes} bytes of silence padded mid-reply`,
  );
});

Deno.test("a reply's last 20 ms, written 30 ms before the rest runs out, follows it without a gap", async () => {
  const s = session(undefined);
  await s.clock.tick(0);
  void s.transport.send(speech(1010)); // 25 chunks, playing until 1000; 10 ms held back
  await s.clock.tick(970);
  void s.transport.send(speech(20));
  await s.clock.tick(1000);
  const end = s.arrivals.at(-1)!;
  assert.equal(end.ms, 30);
  assert.ok(end.at <= 1000, `the last 30 ms left at ${end.at}, after the rest ran out at 1000`);
  assert.equal(s.events.filter((e) => e.startsWith("speakingstop")).length, 1, s.events.join("\n"));
  s.client.close(1000);
  await s.clock.runAll();
});

Deno.test("under background audio, a reply's end that is not a whole chunk leaves, and the spell ends", async () => {
  // The background runs the queue dry at every slot: the tail must not be put off at each.
  const hum = new Int16Array(RATE).fill(100);
  const s = session(undefined, {
    background: new BackgroundAudio(hum, { sampleRate: RATE, channels: 1 }),
  });
  await s.clock.tick(100);
  void s.transport.send(speech(500));
  await s.clock.tick(3000);
  const sizes = s.arrivals.map((a) => a.ms);
  assert.ok(sizes.includes(20), `no 20 ms end among ${sizes.length} messages`);
  assert.equal(s.events.filter((e) => e.startsWith("speakingstop")).length, 1, s.events.join("\n"));
  s.client.close(1000);
  await s.clock.runAll();
});

for (const ms of [1190, 1195]) {
  Deno.test(`Genesys, 1,600-byte packets: a ${ms} ms reply plays without an underrun`, async () => {
    // The README's settings for Genesys: a packet held back is audio that has not left yet.
    const call = startCall(
      {
        protocol: "genesys",
        serializer: () => new GenesysSerializer(),
        rate: 8000,
        chunkMs: 20,
        transport: { fixedAudioPacketSize: 1600, padByte: 0xff },
      },
      { jitterMs: 60, returnMs: 20 },
      { hangUpAtMs: 5000 },
    );
    await call.clock.tick(1500);
    call.transport.send(phoneSpeech(ms, 8000, "r1"));
    await call.clock.tick(6000);
    const report = await call.report;
    assert.equal(report.audio.underruns, 0, `underrun of ${report.audio.underrunMs} ms`);
  });
}

Deno.test("raw PCM in 1,500-byte packets: a 400 ms reply plays without a gap", async () => {
  const s = session(undefined, { fixedAudioPacketSize: 1500 });
  await s.clock.tick(100);
  void s.transport.send(speech(400));
  await s.clock.tick(1000);
  assert.deepEqual(gapsOf(s.arrivals), []);
  s.client.close(1000);
  await s.clock.runAll();
});

Deno.test("SessionMetrics: a reply paced on time, its end held back on purpose, has no late chunk", async () => {
  const s = session(undefined);
  const metrics = SessionMetrics.attach(s.transport, { speech: false });
  await s.clock.tick(100);
  void s.transport.send(speech(500));
  await s.clock.tick(1000);
  assert.equal(metrics.snapshot().outbound.lateChunks, 0);
  s.client.close(1000);
  await s.clock.runAll();
});

Deno.test("after the far end paused and resumed sending, the held-back end follows without a gap", async () => {
  const serializer = new PausableRawPcm();
  const s = session(undefined, { serializer });
  await s.clock.tick(100);
  void s.transport.send(speech(500));
  await s.clock.tick(380); // the last whole chunk, due at 540, waits for its slot
  serializer.context!.pauseSending!(true);
  await s.clock.tick(300);
  serializer.context!.pauseSending!(false);
  await s.clock.tick(1000);
  assert.deepEqual(gapsOf(s.arrivals).slice(1), [], "only the pause's own gap");
  s.client.close(1000);
  await s.clock.runAll();
});

// Found by a fourth review: what one reply taught must not decide for the next.

Deno.test("real-time 60 ms frames every 60 ms (40 ms chunks) go as whole chunks", async () => {
  const s = session(40);
  await s.clock.tick(10);
  for (let frame = 0; frame < 10; frame++) {
    s.transport.send(speech(60));
    await s.clock.tick(60);
  }
  await s.clock.tick(1000);
  assert.deepEqual(s.arrivals.map((a) => a.ms), Array(15).fill(40));
  s.client.close(1000);
  await s.clock.runAll();
});

Deno.test("Telnyx: real-time 30 ms frames every 30 ms (20 ms chunks): no silence padded", async () => {
  const telnyx = new TelnyxSerializer();
  const call = startCall(
    { protocol: "telnyx", serializer: () => telnyx, rate: 8000, chunkMs: 20 },
    { jitterMs: 60, returnMs: 20 },
    { hangUpAtMs: 3000 },
  );
  await call.clock.tick(500);
  for (let frame = 0; frame < 20; frame++) {
    call.transport.send(phoneSpeech(30, 8000, "r1"));
    await call.clock.tick(30);
  }
  await call.clock.tick(4000);
  await call.report;
  assert.equal(telnyx.paddedMessages, 0, `${telnyx.paddingBytes} bytes of silence padded`);
});

Deno.test("Exotel: streaming TTS, 100 ms pieces every 50 ms, two replies: no silence padded", async () => {
  const exotel = new ExotelSerializer();
  const call = startCall(
    { protocol: "exotel", serializer: () => exotel, rate: 8000, chunkMs: 200 },
    { jitterMs: 60, returnMs: 20 },
    { hangUpAtMs: 8000 },
  );
  await call.clock.tick(500);
  for (const response of ["r1", "r2"]) {
    for (let piece = 0; piece < 10; piece++) {
      call.transport.send(phoneSpeech(100, 8000, response));
      await call.clock.tick(50);
    }
    await call.clock.tick(2000);
  }
  await call.clock.tick(6000);
  await call.report;
  assert.equal(exotel.paddedMessages, 0, `${exotel.paddingBytes} bytes of silence padded`);
});

Deno.test("SessionMetrics: a reply after one that ended in a partial packet is not late", async () => {
  const s = session(undefined, { fixedAudioPacketSize: 1500 });
  const metrics = SessionMetrics.attach(s.transport, { speech: false });
  await s.clock.tick(100);
  void s.transport.send(speech(400)); // whole chunks; the last packet is partial
  await s.clock.tick(3000);
  void s.transport.send(speech(400));
  await s.clock.tick(3000);
  const outbound = metrics.snapshot().outbound;
  assert.equal(outbound.lateChunks, 0, JSON.stringify(outbound.lateness));
  s.client.close(1000);
  await s.clock.runAll();
});

Deno.test("after a TTS reply, a real-time bot's 20 ms frames (40 ms chunks) go as whole chunks", async () => {
  const s = session(40);
  await s.clock.tick(10);
  void s.transport.send(speech(400)); // written at once: its chunks wait for their slots
  await s.clock.tick(2000);
  const before = s.arrivals.length;
  for (let frame = 0; frame < 10; frame++) {
    s.transport.send(speech(20));
    await s.clock.tick(20);
  }
  await s.clock.tick(1000);
  assert.deepEqual(s.arrivals.slice(before).map((a) => a.ms), Array(5).fill(40));
  s.client.close(1000);
  await s.clock.runAll();
});

Deno.test("after an interruption of a TTS reply, a real-time bot's 20 ms frames go as whole chunks", async () => {
  const s = session(40);
  await s.clock.tick(10);
  void s.transport.send(speech(1000));
  await s.clock.tick(300);
  void s.transport.interrupt();
  await s.clock.tick(50);
  const before = s.arrivals.length;
  for (let frame = 0; frame < 10; frame++) {
    s.transport.send({ ...speech(20), responseId: "r2" });
    await s.clock.tick(20);
  }
  await s.clock.tick(1000);
  assert.deepEqual(s.arrivals.slice(before).map((a) => a.ms), Array(5).fill(40));
  s.client.close(1000);
  await s.clock.runAll();
});

// Found by a fifth review, against the pump before this change: never later, never split more.

for (const [sendAheadMs, frameMs] of [[0, 30], [0, 50], [10, 30]] as const) {
  Deno.test(`Telnyx, sendAheadMs ${sendAheadMs}: real-time ${frameMs} ms frames (20 ms chunks): no silence padded`, async () => {
    // A lead under a chunk makes a real-time frame's second chunk wait for its slot: that alone
    // is not writing ahead.
    const telnyx = new TelnyxSerializer();
    const call = startCall(
      {
        protocol: "telnyx",
        serializer: () => telnyx,
        rate: 8000,
        chunkMs: 20,
        transport: { sendAheadMs },
      },
      { jitterMs: 60, returnMs: 20 },
      { hangUpAtMs: 3000 },
    );
    await call.clock.tick(500);
    for (let frame = 0; frame < 20; frame++) {
      call.transport.send(phoneSpeech(frameMs, 8000, "r1"));
      await call.clock.tick(frameMs);
    }
    await call.clock.tick(4000);
    await call.report;
    assert.equal(telnyx.paddedMessages, 0, `${telnyx.paddingBytes} bytes of silence padded`);
  });
}

Deno.test("sendAheadMs 100 (40 ms chunks): a TTS reply's 30 ms end keeps its lead over the run-out", async () => {
  const s = session(40, { sendAheadMs: 100 });
  await s.clock.tick(10);
  void s.transport.send(speech(1030)); // 25 chunks playing 10..1010, then 30 ms
  await s.clock.tick(2000);
  const end = s.arrivals.at(-1)!;
  assert.equal(end.ms, 30);
  assert.ok(end.at <= 1010 - 40, `the end left at ${end.at}; the far end runs out at 1010`);
  s.client.close(1000);
  await s.clock.runAll();
});

Deno.test("lastPacket drop: speakingstop does not wait for a partial packet that never plays", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    clock,
    audioOut: { sampleRate: RATE, chunkMs: 40 },
    fixedAudioPacketSize: 1500,
    lastPacket: "drop",
  });
  const stops: number[] = [];
  transport.addEventListener("speakingstop", () => stops.push(clock.now()));
  await clock.tick(10);
  void transport.send(speech(400));
  await clock.tick(2000);
  // Its audio ends at 410 (a little earlier: the partial packet is dropped); the quiet time may
  // follow the last chunk that left, but no wait for the dropped packet on top of it.
  assert.deepEqual(stops.length, 1);
  assert.ok(stops[0]! <= 410, `speakingstop at ${stops[0]}`);
  client.close(1000);
  await clock.runAll();
});
