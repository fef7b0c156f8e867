// Recording as heard, end to end through a transport on the fake clock, checked against what the
// fake far end really played and what the fake caller really said.
import assert from "node:assert/strict";
import {
  BackgroundAudio,
  CallRecorder,
  type Frame,
  RawPcmSerializer,
  WebSocketTransport,
} from "../../mod.ts";
import { call, collect, MIC_MS, sendStamped, speech, StampedSerializer } from "./_call.ts";
import { count, parseWav, runs, sampleOf } from "./_wav.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/mod.ts";
import { runWithGc } from "../_gc_script.ts";

const PER_MS = 16; // samples per ms at the recording's 16 kHz
const CHUNK = 20 * PER_MS; // one chunk (and one microphone frame), in samples

const cases = [
  { jitterMs: 40, acks: true },
  { jitterMs: 100, acks: true },
  { jitterMs: 400, acks: true },
  // Without acknowledgements the transport is told the far end's delay.
  { jitterMs: 100, acks: false, transport: { playoutDelayMs: 100 } },
];

for (const setup of cases) {
  const name = `jitter ${setup.jitterMs} ms, ${setup.acks ? "acknowledged" : "estimated"}`;
  Deno.test(`\`CallRecorder\` keeps exactly what the caller heard of an interrupted response, aligned with the caller (${name})`, () =>
    interruptedCall(setup));
}

async function interruptedCall(setup: (typeof cases)[number]): Promise<void> {
  const c = call(setup);
  const wav = collect(c.recorder.readable);
  c.mic.value = 5; // the caller's line: quiet, but there
  await c.talk(200);
  c.transport.send(speech(4000, 1, "r1"));
  await c.talk(200);
  const playsFrom = c.farEnd.played[0]!.at;
  while (c.clock.now() < playsFrom + 1300) await c.talk(MIC_MS);
  // The caller barges in 1.3 s into the answer; the bot stops it at once.
  c.mic.value = 3;
  const cutAt = c.clock.now();
  await c.transport.interrupt();
  const heardTruth = c.farEnd.playedMs(1);
  // The bot's TTS goes on producing the interrupted answer for a while: stale, never sent.
  for (let t = 0; t < 500; t += MIC_MS) {
    c.transport.send(speech(MIC_MS, 1, "r1"));
    await c.talk(MIC_MS);
  }
  c.mic.value = 5;
  c.transport.send(speech(500, 2, "r2"));
  await c.talk(1500);
  await c.hangUp();
  const closedAt = c.clock.now();

  const { channels, sampleRate, samples } = parseWav(await wav);
  assert.equal(channels, 2);
  assert.equal(sampleRate, 16000);
  const [caller, bot] = samples as [Int16Array, Int16Array];
  assert.equal(caller.length, closedAt * PER_MS, "the whole call, start to hang-up");
  const at = (time: number) => time * PER_MS;

  // Bot: 1.3 s of r1 (what the far end played), where it played, in one piece; then r2, whole.
  const botRuns = runs(bot).filter((r) => r.value !== 0);
  assert.deepEqual(botRuns.map((r) => r.value), [sampleOf(1), sampleOf(2)], "no stale r1 after");
  const [r1, r2] = botRuns as [typeof botRuns[0], typeof botRuns[0]];
  assert.ok(Math.abs(heardTruth - 1300) <= 20, `the far end played ${heardTruth} ms`);
  assert.ok(
    Math.abs(r1.length - heardTruth * PER_MS) <= CHUNK,
    `recorded ${r1.length / PER_MS} ms of r1, heard ${heardTruth} ms`,
  );
  assert.ok(Math.abs(r1.start - at(playsFrom)) <= CHUNK, `r1 at ${r1.start / PER_MS} ms`);
  assert.equal(r2.length, 500 * PER_MS, "the next answer, all of it");
  const r2Truth = c.farEnd.played.find((s) => s.value === 2)!.at;
  assert.ok(Math.abs(r2.start - at(r2Truth)) <= CHUNK, "r2 where it played");

  // Caller: the barge-in begins where r1 stops, within a chunk; and where it was said.
  const callerRuns = runs(caller);
  const bargeIn = callerRuns.find((r) => r.value === sampleOf(3))!;
  assert.equal(bargeIn.start, at(cutAt), "the caller's speech where it was spoken");
  assert.equal(bargeIn.length, 500 * PER_MS);
  assert.ok(
    Math.abs(bargeIn.start - (r1.start + r1.length)) <= CHUNK,
    `barge-in at ${bargeIn.start / PER_MS} ms, r1 ends at ${(r1.start + r1.length) / PER_MS} ms`,
  );
  assert.equal(count(caller, 0), 0, "the caller's line is there throughout");
  assert.deepEqual(c.recorder.stats, {
    durationMs: closedAt,
    lateMs: 0,
    droppedMs: 0,
    overrunMs: 0,
    pastLimitMs: 0,
  });
  assert.equal(c.clock.pendingTimers, 0);
}

Deno.test("`CallRecorder` keeps memory flat through an hour-long call", async () => {
  // In a process of its own, where a full garbage collection can be asked for before each
  // measurement: what remains is what is held, not garbage waiting to be collected.
  const report = await runWithGc(new URL("./_hour_long_call.ts", import.meta.url)) as {
    bytes: number;
    memory: { minute: number; heapUsed: number; external: number }[];
  };
  assert.equal(report.bytes, 44 + 3600 * 16000 * 4, "an hour of 16 kHz stereo: 230 MB streamed");
  const total = (m: { heapUsed: number; external: number }) => m.heapUsed + m.external;
  const [warm, ...rest] = report.memory;
  const growth = Math.max(...rest.map(total)) - total(warm!);
  // Holding even 2 % of the recording would take 4.6 MB; the recorder holds about a second.
  assert.ok(
    growth < 4e6,
    `memory grew ${(growth / 1e6).toFixed(1)} MB: ${JSON.stringify(report.memory)}`,
  );
});

Deno.test("`CallRecorder` writes a WAV sox reads: to the end with the streaming header, exactly with the true one", async () => {
  const c = call();
  const path = await Deno.makeTempFile({ suffix: ".wav" });
  try {
    const file = await Deno.open(path, { write: true, truncate: true });
    const written = c.recorder.readable.pipeTo(file.writable);
    c.mic.value = 5;
    await c.talk(200);
    c.transport.send(speech(1000, 1, "r1"));
    await c.talk(1800);
    await c.hangUp();
    await written;
    const frames = 2000 * PER_MS;
    // As streamed (sizes unknown): sox reads every sample to the end of the file.
    const streamed = await sox(["sox", path, "-n", "stat"]);
    assert.match(streamed, new RegExp(`Samples read:\\s+${frames * 2}\\b`));
    // The sink can seek: the true header goes over the first 44 bytes.
    const again = await Deno.open(path, { write: true });
    await again.write(c.recorder.wavHeader());
    again.close();
    assert.equal((await sox(["soxi", "-c", path])).trim(), "2");
    assert.equal((await sox(["soxi", "-r", path])).trim(), "16000");
    assert.equal((await sox(["soxi", "-s", path])).trim(), String(frames));
    assert.equal((await sox(["soxi", "-D", path])).trim(), "2.000000");
    // The bot's answer, right channel only, at its level: sox agrees with our own reading.
    const bot = await sox(["sox", path, "-n", "remix", "2", "stat"]);
    const max = Number(/Maximum amplitude:\s+([\d.]+)/.exec(bot)![1]);
    assert.ok(Math.abs(max - sampleOf(1) / 32768) < 1e-4, `bot peak ${max}`);
  } finally {
    await Deno.remove(path);
  }
});

/** Runs a sox tool; returns what it printed (sox prints `stat` on stderr). */
async function sox(command: string[]): Promise<string> {
  const [program, ...args] = command as [string, ...string[]];
  const { code, stdout, stderr } = await new Deno.Command(program, { args }).output();
  const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assert.equal(code, 0, text);
  return text;
}

Deno.test("`CallRecorder` places timestamped caller audio by media time: jittered, lost and late packets", async () => {
  const c = call({ transport: { serializer: new StampedSerializer() } });
  const wav = collect(c.recorder.readable);
  // Packet k carries media [20k, 20k + 20) ms, value 10 + k, and is sent after it was spoken
  // plus a jitter; packet 6 is lost, packet 9 arrives after 10 and 11.
  const delays = [0, 15, 5, 30, 0, 25, 0, 10, 0, 70, 0, 0, 35, 0, 0, 0];
  const sends = delays.map((delay, k) => ({ k, at: 20 * k + 20 + delay }))
    .filter(({ k }) => k !== 6)
    .sort((a, b) => a.at - b.at || a.k - b.k);
  await sendStamped(c, sends);
  const [caller] = parseWav(await wav).samples as [Int16Array];
  const expected = delays.map((_, k) => ({
    value: k === 6 ? 0 : sampleOf(10 + k),
    start: 20 * k * PER_MS,
    length: CHUNK,
  }));
  assert.deepEqual(runs(caller).slice(0, 16), expected);
  assert.equal(c.recorder.stats.lateMs, 0);
});

Deno.test("`CallRecorder` lays caller audio without timestamps end to end through jitter, and keeps real pauses", async () => {
  const c = call();
  const wav = collect(c.recorder.readable);
  // Ten frames spoken from 0 to 200 ms; frames 4–8 held up by the network, arriving together.
  const arrivals = [20, 40, 60, 80, 180, 180, 180, 180, 180, 200];
  for (const [k, at] of arrivals.entries()) {
    await c.clock.tick(at - c.clock.now());
    c.pair.client.send(new Uint8Array(640).fill(10 + k));
  }
  // The caller's client sends nothing for 2 s (muted), then again.
  await c.clock.tick(2000);
  c.pair.client.send(new Uint8Array(640).fill(30));
  await c.clock.tick(500);
  await c.hangUp();
  const [caller] = parseWav(await wav).samples as [Int16Array];
  assert.deepEqual(
    runs(caller).slice(0, 12),
    [
      ...arrivals.map((_, k) => ({
        value: sampleOf(10 + k),
        start: 20 * k * PER_MS,
        length: CHUNK,
      })),
      { value: 0, start: 200 * PER_MS, length: 2000 * PER_MS - CHUNK },
      { value: sampleOf(30), start: 2180 * PER_MS, length: CHUNK },
    ],
  );
});

Deno.test("`CallRecorder` resamples each party to the recording's rate", async () => {
  const c = call({
    transport: { audioIn: { sampleRate: 8000 }, audioOut: { sampleRate: 24000, chunkMs: 20 } },
    outBytesPerMs: 48,
    jitterMs: 60,
  });
  const wav = collect(c.recorder.readable);
  for (let t = 0; t < 1000; t += 20) {
    await c.clock.tick(20);
    c.pair.client.send(new Uint8Array(320).fill(5)); // 20 ms at 8 kHz
  }
  c.transport.send({
    type: "audio",
    audio: new Uint8Array(48 * 1000).fill(1), // one second at 24 kHz
    sampleRate: 24000,
    channels: 1,
    responseId: "r1",
  });
  await c.clock.tick(2000);
  await c.hangUp();
  const { sampleRate, samples } = parseWav(await wav);
  const [caller, bot] = samples as [Int16Array, Int16Array];
  assert.equal(sampleRate, 16000);
  const near = (s: Int16Array, value: number) => s.filter((x) => Math.abs(x - value) < 30).length;
  // The filter's edges at the start and end of each stretch are a few samples: within a chunk.
  assert.ok(Math.abs(near(caller, sampleOf(5)) - 1000 * PER_MS) <= CHUNK, "caller: 1 s");
  assert.ok(Math.abs(near(bot, sampleOf(1)) - 1000 * PER_MS) <= CHUNK, "bot: 1 s");
  const start = bot.findIndex((x) => Math.abs(x - sampleOf(1)) < 30);
  const played = c.farEnd.played.find((s) => s.value === 1)!.at;
  assert.ok(Math.abs(start - played * PER_MS) <= CHUNK, `bot at ${start / PER_MS} ms`);
});

Deno.test("`CallRecorder` mixes to mono with saturation, or writes each party on its own", async () => {
  for (const layout of ["mono", "separate"] as const) {
    const c = call({ recorder: { layout } });
    const streams = layout === "mono"
      ? [collect(c.recorder.readable)]
      : [collect(c.recorder.caller), collect(c.recorder.bot)];
    c.mic.value = 0x70; // 28784: with the bot's 28784 the sum would wrap to -7968
    await c.talk(100);
    c.transport.send(speech(500, 0x70, "r1"));
    await c.talk(900);
    await c.hangUp();
    const wavs = (await Promise.all(streams)).map(parseWav);
    for (const wav of wavs) {
      assert.equal(wav.channels, 1);
      assert.equal(wav.samples[0]!.length, 1000 * PER_MS);
    }
    if (layout === "mono") {
      const mixed = wavs[0]!.samples[0]!;
      assert.equal(count(mixed, 32767), 500 * PER_MS, "both at once: clipped, never wrapped");
      assert.ok(mixed.every((s) => s >= 0), "no wrap-around to negative");
    } else {
      assert.equal(count(wavs[0]!.samples[0]!, sampleOf(0x70)), 1000 * PER_MS, "caller");
      assert.equal(count(wavs[1]!.samples[0]!, sampleOf(0x70)), 500 * PER_MS, "bot");
      const header = new DataView(c.recorder.wavHeader("bot").buffer);
      assert.equal(header.getUint32(40, true), 1000 * PER_MS * 2, "the bot's true data size");
    }
  }
});

Deno.test("`CallRecorder` drops and counts what a reader too far behind cannot take, holding no more", async () => {
  const c = call({ recorder: { maxBufferedMs: 500 } });
  c.mic.value = 5;
  await c.talk(5000);
  // Nobody has read anything: at most 500 ms of audio waits; the rest is counted, not held.
  const { durationMs, droppedMs } = c.recorder.stats;
  assert.ok(durationMs - droppedMs <= 500, `kept ${durationMs - droppedMs} ms`);
  assert.ok(droppedMs >= 3000, `dropped ${droppedMs} ms`);
  const wav = collect(c.recorder.readable);
  await c.talk(2000);
  await c.hangUp();
  const bytes = await wav;
  const stats = c.recorder.stats;
  assert.equal(bytes.length - 44, stats.durationMs * PER_MS * 4);
  // What was dropped is silence in its place: the recording is the whole call, on its timeline.
  assert.equal(stats.durationMs, 7000);
  const caller = parseWav(bytes).samples[0]!;
  assert.equal(count(caller, 0), stats.droppedMs * PER_MS, "every dropped millisecond silent");
  assert.equal(count(caller, sampleOf(5)), (7000 - stats.droppedMs) * PER_MS, "the rest kept");
});

Deno.test('`CallRecorder` with layout "separate" counts what the bot stream loses, and keeps both streams one length', async () => {
  const { clock, client, transport } = rawPcmCall({ maxQueuedMs: 10_000 });
  const recorder = new CallRecorder({ clock, layout: "separate", maxBufferedMs: 2000 });
  transport.observe(recorder);
  const callerWav = collect(recorder.caller);
  const botReader = recorder.bot.getReader(); // stalls until the call ends
  transport.send(speech(4000, 1, "r1"));
  for (let i = 0; i < 200; i++) {
    await clock.tick(20);
    client.send(new Uint8Array(640).fill(2));
  }
  client.close(1000);
  await transport.closed;
  const botParts: Uint8Array[] = [];
  for (let r = await botReader.read(); !r.done; r = await botReader.read()) botParts.push(r.value);
  const bot = parseWav(await collect(ReadableStream.from(botParts))).samples[0]!;
  const caller = parseWav(await callerWav).samples[0]!;
  assert.equal(caller.length, 4000 * PER_MS, "the caller's stream, read as it came: all of it");
  assert.equal(bot.length, caller.length, "the bot's, dropped blocks silent: one timeline");
  const botDroppedMs = 4000 - count(bot, sampleOf(1)) / PER_MS;
  assert.ok(botDroppedMs >= 1000, `the bot's stream lost ${botDroppedMs} ms`);
  assert.equal(recorder.stats.droppedMs, botDroppedMs, "counted");
});

Deno.test("`CallRecorder` with `maxBufferedMs` under a second drops nothing when the reader keeps up", async () => {
  const { clock, client, transport } = rawPcmCall();
  const recorder = new CallRecorder({ clock, maxBufferedMs: 500 });
  transport.observe(recorder);
  const wav = collect(recorder.readable);
  for (let i = 0; i < 200; i++) {
    await clock.tick(20);
    client.send(new Uint8Array(640).fill(2));
  }
  client.close(1000);
  await transport.closed;
  assert.equal(recorder.stats.droppedMs, 0);
  // The last second, held until the end and written out then, is all there.
  assert.equal(count(parseWav(await wav).samples[0]!, sampleOf(2)), 4000 * PER_MS);
});

Deno.test("`CallRecorder` errors its stream on audio it cannot resample, and the session goes on", async () => {
  const c = call({ transport: { audioIn: { sampleRate: 11025 } } });
  const wav = collect(c.recorder.readable);
  const frames: Frame[] = [];
  c.transport.receive((frame) => frames.push(frame));
  c.mic.value = 5;
  await c.talk(200);
  await assert.rejects(wav, (error: Error) => {
    assert.ok(error instanceof RangeError);
    assert.match(error.message, /caller audio at 11025 Hz cannot be resampled to 16000 Hz/);
    return true;
  });
  assert.equal(c.recorder.stopped, true);
  assert.equal(frames.length, 10, "the bot still gets every frame");
  await c.hangUp();
});

Deno.test("`CallRecorder.stop` ends the recording at once; the session goes on unrecorded", async () => {
  const c = call({ transport: { playoutDelayMs: 100 } }); // the far end's jitter: known at once
  const wav = collect(c.recorder.readable);
  c.mic.value = 5;
  await c.talk(300);
  c.transport.send(speech(1000, 1, "r1"));
  await c.talk(200);
  c.recorder.stop();
  const stoppedAt = c.clock.now();
  await c.talk(500);
  const { samples } = parseWav(await wav);
  assert.equal(samples[0]!.length, stoppedAt * PER_MS, "up to the stop, not after");
  // The bot audio the far end had not played by then is not in it.
  const played = c.farEnd.played.find((s) => s.value === 1)!.at;
  assert.equal(count(samples[1]!, sampleOf(1)), (stoppedAt - played) * PER_MS);
  await c.hangUp();
  assert.equal(c.clock.pendingTimers, 0);
});

Deno.test("`CallRecorder` refuses bad options and the wrong stream for its layout", () => {
  assert.throws(() => new CallRecorder({ sampleRate: 11025 }), /sampleRate must be one of/);
  assert.throws(() => new CallRecorder({ layout: "quad" as "mono" }), RangeError);
  assert.throws(() => new CallRecorder({ holdMs: -1 }), /holdMs/);
  // Caller audio may run callerGapMs ahead of its arrival; the recording holds a minute ahead.
  assert.throws(() => new CallRecorder({ callerGapMs: 60_001 }), /callerGapMs must be at most/);
  new CallRecorder({ callerGapMs: 60_000 }).stop();
  assert.throws(() => new CallRecorder().caller, TypeError);
  assert.throws(() => new CallRecorder().wavHeader("bot"), TypeError);
  assert.throws(() => new CallRecorder({ layout: "separate" }).readable, TypeError);
  assert.throws(() => new CallRecorder({ layout: "separate" }).wavHeader(), TypeError);
});

Deno.test("`CallRecorder` records the background as the caller heard it: under the speech and through the cut", async () => {
  // Background bytes 0x09 at full volume; speech bytes 0x01 over it sum to bytes 0x0A.
  const background = new BackgroundAudio(new Int16Array(1600).fill(sampleOf(9)), {
    sampleRate: 16000,
    volume: 1,
    fadeMs: 0,
  });
  const c = call({ jitterMs: 60, transport: { background } });
  const wav = collect(c.recorder.readable);
  c.mic.value = 5;
  await c.talk(400);
  c.transport.send(speech(2000, 1, "r1"));
  await c.talk(1000);
  const result = await c.transport.interrupt();
  await c.talk(1000);
  await c.hangUp();
  const [, bot] = parseWav(await wav).samples as [Int16Array, Int16Array];
  const played = c.farEnd.played.filter((s) => s.ms > 0);
  const firstPlayed = played[0]!.at;
  const speechRuns = runs(bot).filter((r) => r.value === sampleOf(0x0a));
  assert.equal(speechRuns.length, 1, "the speech, mixed, in one piece");
  assert.ok(
    Math.abs(speechRuns[0]!.length - result.heardMs * PER_MS) <= CHUNK,
    `recorded ${speechRuns[0]!.length / PER_MS} ms of speech, heard ${result.heardMs} ms`,
  );
  // From the far end's first audio to the hang-up, the bot's channel is silent only where the
  // far end was: after the interruption's clear, while its jitter buffer filled again.
  const after = bot.subarray(firstPlayed * PER_MS);
  const silences = runs(after).filter((r) => r.value === 0 && r.start + r.length < after.length);
  const gaps = played.slice(1).map((s, i) => ({
    at: played[i]!.at + played[i]!.ms,
    ms: s.at - (played[i]!.at + played[i]!.ms),
  })).filter((g) => g.ms > 0);
  assert.equal(gaps.length, 1, "the far end fell silent once");
  assert.equal(silences.length, 1);
  assert.ok(Math.abs(silences[0]!.length - gaps[0]!.ms * PER_MS) <= CHUNK, "as long");
  assert.ok(
    Math.abs(silences[0]!.start - (gaps[0]!.at - firstPlayed) * PER_MS) <= CHUNK,
    "where it was",
  );
  assert.ok(count(bot, sampleOf(9)) >= 1300 * PER_MS, "background throughout");
});

Deno.test("`CallRecorder` keeps a spell whole when a lag change smaller than a chunk comes with a reply's shorter last chunk", async () => {
  // Driven as a session observer, by hand: 40 ms chunks, one response played continuously; the
  // far end's lag is learned as 30 ms more at 2 s (under one 40 ms chunk: not worth moving what
  // was written), and the response ends with a 20 ms chunk at that lag. The threshold is the
  // chunks' length, not the last chunk's: nothing moves, and no gap opens inside the speech.
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: 16000, layout: "separate" });
  const bot = collect(recorder.bot!);
  void collect(recorder.caller!);
  let position = 0;
  for (let k = 0; k < 75; k++) {
    const durationMs = k === 74 ? 20 : 40;
    const lag = position >= 2000 ? 30 : 0;
    const deadline = clock.now();
    recorder.outboundAudio(speech(durationMs, 1, "r1"), {
      position,
      durationMs,
      playsAt: deadline + 40 + lag,
      deadline,
      sentAt: deadline,
      speech: true,
    });
    recorder.inboundAudio(
      { type: "audio", audio: new Uint8Array(1280), sampleRate: 16000, channels: 1 },
      clock.now(),
    );
    position += durationMs;
    await clock.tick(durationMs);
  }
  await clock.tick(3000);
  recorder.stop();
  const { samples } = parseWav(await bot);
  const speaking = runs(samples[0]!).filter((r) => r.value !== 0);
  assert.deepEqual(speaking.map((r) => r.value), [sampleOf(1)], "one piece: no gap inside");
});

/** A raw PCM session at 16 kHz both ways, 20 ms chunks, on a fake clock. */
function rawPcmCall(options: { maxQueuedMs?: number } = {}) {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: new RawPcmSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    ...options,
    clock,
  });
  return { clock, client, transport };
}

Deno.test("`CallRecorder` given no clock follows the observed transport's", async () => {
  const { clock, client, transport } = rawPcmCall();
  await clock.tick(5000); // the fake clock's time is nowhere near the system clock's
  const recorder = new CallRecorder({ sampleRate: 16000 });
  transport.observe(recorder);
  const wav = new Response(recorder.readable).arrayBuffer();
  for (let i = 0; i < 50; i++) {
    await clock.tick(20);
    client.send(new Uint8Array(640).fill(1));
  }
  client.close(1000);
  await transport.closed;
  const bytes = new Uint8Array(await wav);
  assert.equal(bytes.byteLength, 44 + 16000 * 4, "stereo, 16-bit: the one second observed");
  const samples = new Int16Array(bytes.buffer, 44);
  assert.deepEqual([samples[0], samples[1]], [257, 0], "the caller from the first sample");
});
