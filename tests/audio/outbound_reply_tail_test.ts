// The outbound resampler's last samples at a reply's end. A bot whose audio has another rate than
// the wire's (24 kHz speech synthesis to Twilio's 8 kHz, 22.05 kHz to 16 kHz) is resampled as one
// stream: each message carries exactly its chunk's length at the wire rate (the stream begins with
// the filter's delay as silence), so the last few samples of what came in (0.25 ms at 8 kHz, up to
// 2.3 ms for 22.05 → 16 kHz) are still in the filter when the reply's last chunk has left. These
// tests pin that `TelephonyAudio` works so, sample for sample, behind that delay; that
// `flushOutbound` (and `endOutbound`) hand over exactly what a reply still owes; and that the
// transport, where a stretch of speech ends (`FrameSerializer.audioEnds`), sends those samples
// after the reply they belong to, before a hang-up too, and never in front of the next reply,
// which once got them however much later it came; an interruption leaves nothing of the
// interrupted reply for the next one.
import assert from "node:assert/strict";
import { BackgroundAudio, WebSocketTransport } from "../../mod.ts";
import { Resampler } from "../../src/audio/resampler.ts";
import { TelephonyAudio } from "../../src/serializers/telephony/telephony_audio.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import type {
  AudioFrame,
  Frame,
  OutboundMixer,
  SerializedMessage,
  TransportOptions,
} from "../../mod.ts";
import { concatSamples, noise } from "./_test_signals.ts";

/** `samples` at `rate` as an outbound audio frame. */
const frameOf = (samples: Int16Array, sampleRate: number) => ({
  type: "audio" as const,
  audio: new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength),
  sampleRate,
  channels: 1,
});

/** What a fresh resampler makes of the whole stream, `process` and `flush`. */
function wholeStream(samples: Int16Array, from: number, to: number): [Int16Array, Int16Array] {
  const resampler = new Resampler({ inputRate: from, outputRate: to });
  return [resampler.process(samples), resampler.flush()];
}

/** PCM16 wire bytes as samples (a copy: the bytes may be a view of a shared slab). */
const samplesOf = (bytes: Uint8Array | null) =>
  bytes === null ? new Int16Array(0) : new Int16Array(bytes.slice().buffer);

const PAIRS: [number, number][] = [
  [24000, 8000],
  [48000, 8000],
  [16000, 8000],
  [22050, 8000],
  [24000, 16000],
  [22050, 16000],
];

Deno.test("`TelephonyAudio` sends a resampled reply as the whole-stream resample behind the filter's delay, each message its chunk's length", () => {
  const held: string[] = [];
  for (const [from, to] of PAIRS) {
    const reply = noise(from / 2); // 500 ms
    const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: to });
    const chunk = from / 50; // 20 ms
    const parts: Int16Array[] = [];
    for (let at = 0; at < reply.length; at += chunk) {
      const sent = samplesOf(audio.encode(frameOf(reply.slice(at, at + chunk), from)));
      assert.equal(sent.length, to / 50, `${from} → ${to}: a 20 ms message`);
      parts.push(sent);
    }
    const [body, tail] = wholeStream(reply, from, to);
    const sent = concatSamples(parts);
    // The filter's delay as silence, then the stream, short of its last `tail.length` samples.
    const expected = concatSamples([new Int16Array(tail.length), body]);
    assert.deepEqual(sent, expected, `${from} → ${to}`);
    held.push(`${from} → ${to}: ${tail.length}`);
  }
  // What the last chunk's message leaves in the filter, in samples at the wire rate.
  assert.deepEqual(held, [
    "24000 → 8000: 2",
    "48000 → 8000: 2",
    "16000 → 8000: 2",
    "22050 → 8000: 4",
    "24000 → 16000: 2",
    "22050 → 16000: 36",
  ]);
});

Deno.test("`TelephonyAudio.flushOutbound` at a reply's end hands over what the reply still owes; the next reply begins from silence", () => {
  for (const [from, to] of PAIRS) {
    const first = noise(from / 5, 1); // 200 ms
    const second = noise(from / 5, 2);
    const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: to });
    const sent = samplesOf(audio.encode(frameOf(first, from)));
    const owed = samplesOf(audio.flushOutbound());
    const next = samplesOf(audio.encode(frameOf(second, from)));
    const [body, tail] = wholeStream(first, from, to);
    assert.deepEqual(
      concatSamples([sent, owed]),
      concatSamples([new Int16Array(tail.length), body, tail]),
    );
    const [nextBody] = wholeStream(second, from, to);
    assert.deepEqual(
      next,
      concatSamples([new Int16Array(tail.length), nextBody]),
      `${from} → ${to}`,
    );
  }
});

Deno.test("`WebSocketTransport` on Twilio leaves nothing of an interrupted resampled reply in the next one", async () => {
  const { clock, transport, sent } = await twilioCall();
  // A loud reply, interrupted 30 ms in, in the middle of its sound; then a silent one.
  transport.send({ ...frameOf(new Int16Array(2400).fill(8000), 24000), responseId: "r1" });
  await clock.tick(30);
  const interruptedAt = clock.now();
  await transport.interrupt();
  transport.send({ ...frameOf(new Int16Array(2400), 24000), responseId: "r2" });
  await clock.tick(500);
  const after = sent.filter((message) => message.at >= interruptedAt);
  assert.equal(after.reduce((n, m) => n + m.samples.length, 0), 800, "r2: 100 ms at 8 kHz");
  assert.deepEqual(after.flatMap((m) => [...m.samples].filter((s) => s !== 0)), []);
  assert.equal(transport.playback.sentMs, 100);
  await transport.close();
});

/**
 * A second on, a silent 100 ms reply "r2" at 24 kHz, and a second after it: the time it was sent
 * (what left before is the reply before it).
 */
async function silentReplyLater(transport: WebSocketTransport, clock: FakeClock): Promise<number> {
  await clock.tick(1000);
  const sentAt = clock.now();
  transport.send({ ...frameOf(new Int16Array(2400), 24000), responseId: "r2" });
  await clock.tick(1000);
  return sentAt;
}

/**
 * A Twilio call in PCM16 at 8 kHz (so samples read back exactly) for a bot at 24 kHz, its far
 * end answering marks at once; every media message kept with the time it left.
 */
async function twilioCall(options: TransportOptions & { answerAfterMs?: number } = {}) {
  const { answerAfterMs = 0, ...transportOptions } = options;
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const serializer = new TwilioSerializer({ encoding: "pcm16le" });
  /** What each `audioEnds` was told, and when. */
  const ends: { at: number; playing: boolean }[] = [];
  const audioEnds = serializer.audioEnds.bind(serializer);
  serializer.audioEnds = (playing: boolean) => {
    ends.push({ at: clock.now(), playing });
    return audioEnds(playing);
  };
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    clock,
    audioOut: { sampleRate: 24000, chunkMs: 20 },
    ...transportOptions,
  });
  const sent: { at: number; samples: Int16Array }[] = [];
  pair.client.addEventListener("message", (event) => {
    const message = JSON.parse((event as MessageEvent<string>).data);
    if (message.event === "mark") {
      const answer = JSON.stringify({ event: "mark", streamSid: "MZ1", mark: message.mark });
      if (answerAfterMs === 0) pair.client.send(answer);
      else void clock.sleep(answerAfterMs).then(() => pair.client.send(answer));
    }
    if (message.event !== "media") return;
    const bytes = Uint8Array.from(atob(message.media.payload), (c) => c.charCodeAt(0));
    sent.push({ at: clock.now(), samples: new Int16Array(bytes.buffer) });
  });
  transport.receive(() => {});
  pair.client.send(JSON.stringify({
    event: "start",
    start: {
      accountSid: "AC1",
      streamSid: "MZ1",
      callSid: "CA1",
      mediaFormat: { encoding: "audio/x-l16", sampleRate: 8000, channels: 1 },
    },
    streamSid: "MZ1",
  }));
  await clock.tick(10);
  return { clock, transport, sent, ends };
}

Deno.test("`WebSocketTransport` on Twilio sends a resampled reply's held end after its last chunk, and nothing of it in front of the next reply", async () => {
  const { clock, transport, sent } = await twilioCall();
  // 110 ms of broadband sound, ending loud (the last 10 ms wait as the reply's tail), written
  // ahead of time; a second, silent reply a second later.
  const first = noise(2640, 3);
  transport.send({ ...frameOf(first, 24000), responseId: "r1" });
  const secondAt = await silentReplyLater(transport, clock);
  const [body, tail] = wholeStream(first, 24000, 8000);
  const ofFirst = concatSamples(sent.filter((m) => m.at < secondAt).map((m) => m.samples));
  // All of it, its last two samples too, before the next reply: heard where they belong.
  assert.deepEqual(ofFirst, concatSamples([new Int16Array(tail.length), body, tail]));
  const ofSecond = sent.filter((m) => m.at >= secondAt);
  assert.equal(ofSecond.reduce((n, m) => n + m.samples.length, 0), 800, "r2: 100 ms at 8 kHz");
  assert.deepEqual(ofSecond.flatMap((m) => [...m.samples].filter((s) => s !== 0)), []);
  // The bot's bytes, counted once: the held end adds messages, not audio the bot wrote.
  assert.equal(transport.stats.audioBytesSent, (2640 + 2400) * 2);
  assert.equal(transport.playback.sentMs, 100, "r2's 100 ms: the held end moves no count");
  await transport.close();
});

Deno.test("`WebSocketTransport` on Twilio sends a goodbye's held end before the hang-up, with no silence after it", async () => {
  const { clock, transport, sent } = await twilioCall({ endSilenceMs: 0 });
  // Whole chunks (no tail held by the chunker): only the `end` marks where the speech ends.
  const goodbye = noise(2400, 5);
  transport.send({ ...frameOf(goodbye, 24000), responseId: "bye" });
  transport.send({ type: "end" });
  await clock.tick(2000);
  await transport.closed;
  const [body, tail] = wholeStream(goodbye, 24000, 8000);
  assert.deepEqual(
    concatSamples(sent.map((m) => m.samples)),
    concatSamples([new Int16Array(tail.length), body, tail]),
  );
});

/** PCM as it is, binary; `audioEnds` answers with `ending` and keeps what it was told. */
class EndingSerializer {
  readonly ends: boolean[] = [];
  constructor(readonly ending: Uint8Array) {}
  serialize(frame: Frame): SerializedMessage | null {
    return frame.type === "audio" ? frame.audio : null;
  }
  deserialize(): null {
    return null;
  }
  audioEnds(playing: boolean): Uint8Array | null {
    this.ends.push(playing);
    return playing ? this.ending : null;
  }
}

Deno.test("`WebSocketTransport` calls `audioEnds` once a stretch ends, never per chunk, and its bytes join the last packet", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const serializer = new EndingSerializer(new Uint8Array([1, 2, 3, 4]));
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    fixedAudioPacketSize: 300,
  });
  const packets: Uint8Array[] = [];
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (data instanceof Uint8Array) packets.push(data.slice());
    else if (data instanceof ArrayBuffer) packets.push(new Uint8Array(data));
  });
  await clock.tick(10);
  // A real-time bot: 20 ms frames, one per 20 ms; none of it held back, so no stretch end.
  for (let i = 0; i < 10; i++) {
    transport.send({
      type: "audio",
      audio: new Uint8Array(640).fill(9),
      sampleRate: 16000,
      channels: 1,
    });
    await clock.tick(20);
  }
  // 6,400 bytes: 21 packets, 100 bytes held until the stretch ends after the quiet time.
  assert.equal(packets.length, 21);
  assert.deepEqual(serializer.ends, []);
  await clock.tick(500);
  assert.deepEqual(serializer.ends, [true], "once, at the stretch's end");
  assert.equal(packets.length, 22);
  const last = packets[21]!;
  assert.equal(last.length, 300, "the last packet keeps the packet size (padded)");
  assert.deepEqual([...last.subarray(98, 106)], [9, 9, 1, 2, 3, 4, 0, 0]);
  assert.equal(transport.stats.audioBytesSent, 6400, "the bot's bytes, once");
  assert.equal(transport.stats.bytesOut, 22 * 300);
  await transport.close();
});

/**
 * A 16 kHz session on an `EndingSerializer` whose stretch ends answer `tail`, with `options` over
 * that; the sizes of the binary messages the far end gets, in order.
 */
async function endingCall(tail: Uint8Array, options: TransportOptions = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const serializer = new EndingSerializer(tail);
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    ...options,
  });
  const sizes: number[] = [];
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data !== "string") sizes.push(data.byteLength);
  });
  await clock.tick(10);
  return { clock, transport, serializer, sizes };
}

Deno.test("`WebSocketTransport` ends a stretch of whole chunks at the quiet time (nothing plays on), and not again at an `end` long after", async () => {
  const { clock, transport, serializer, sizes } = await endingCall(new Uint8Array([1, 2]));
  // Whole chunks written ahead: the queue runs dry with nothing held, and stays so the quiet time.
  transport.send({ type: "audio", audio: new Uint8Array(3200), sampleRate: 16000, channels: 1 });
  await clock.tick(2000);
  assert.deepEqual(serializer.ends, [false], "played out by then: dropped, not sent");
  transport.send({ type: "end" });
  await clock.tick(2000);
  await transport.closed;
  assert.deepEqual(serializer.ends, [false], "told once: nothing has left since");
  assert.deepEqual(sizes, [640, 640, 640, 640, 640]);
});

Deno.test("`WebSocketTransport` on Twilio leaves nothing of a reply of whole chunks, written in real time, in front of the next reply", async () => {
  const { clock, transport, sent } = await twilioCall();
  // A real-time bot: 20 ms frames (whole chunks: nothing held back), the last one loud.
  const first = noise(2400, 9);
  for (let at = 0; at < first.length; at += 480) {
    transport.send({ ...frameOf(first.slice(at, at + 480), 24000), responseId: "r1" });
    await clock.tick(20);
  }
  const secondAt = await silentReplyLater(transport, clock);
  const [body, tail] = wholeStream(first, 24000, 8000);
  // Played out by the end-of-speech mark, a quiet time after its last chunk: its held end is
  // dropped there, not sent in front of the next reply.
  const ofFirst = concatSamples(sent.filter((m) => m.at < secondAt).map((m) => m.samples));
  assert.deepEqual(ofFirst, concatSamples([new Int16Array(tail.length), body]));
  const ofSecond = sent.filter((m) => m.at >= secondAt);
  assert.equal(ofSecond.reduce((n, m) => n + m.samples.length, 0), 800, "r2: 100 ms at 8 kHz");
  assert.deepEqual(ofSecond.flatMap((m) => [...m.samples].filter((s) => s !== 0)), []);
  await transport.close();
});

Deno.test('`WebSocketTransport` tells `audioEnds` nothing plays on where the last packet is dropped (`lastPacket: "drop"`)', async () => {
  const { clock, transport, serializer, sizes } = await endingCall(new Uint8Array([1, 2, 3, 4]), {
    fixedAudioPacketSize: 300,
    lastPacket: "drop",
  });
  transport.send({ type: "audio", audio: new Uint8Array(640), sampleRate: 16000, channels: 1 });
  await clock.tick(500);
  assert.deepEqual(serializer.ends, [false]);
  assert.deepEqual(sizes, [300, 300], "the partial packet dropped, nothing added to it");
  await transport.close();
});

Deno.test("`WebSocketTransport` does not call `audioEnds` under a background mixer, whose chunks carry the stream on, until the `end`", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const serializer = new EndingSerializer(new Uint8Array([1, 2]));
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    background: new BackgroundAudio(new Int16Array(1600).fill(100), {
      sampleRate: 16000,
      fadeMs: 0,
    }),
  });
  await clock.tick(100);
  transport.send({ type: "audio", audio: new Uint8Array(1000), sampleRate: 16000, channels: 1 });
  await clock.tick(1000);
  assert.deepEqual(serializer.ends, [], "none while the background plays on");
  transport.send({ type: "end" });
  await clock.tick(2000);
  await transport.closed;
  // At the end nothing carries them on: told once, the background still playing (they go).
  assert.deepEqual(serializer.ends, [true]);
});

/**
 * A real-time bot's reply of `ms` (20 ms frames, whole chunks), then, a second later, a silent
 * one: what of the second is not silence, and what `audioEnds` was told before it.
 */
async function replyThenSilence(ms: number, options: TransportOptions = {}) {
  const { clock, transport, sent, ends } = await twilioCall(options);
  const first = noise(24 * ms, 9);
  for (let at = 0; at < first.length; at += 480) {
    transport.send({ ...frameOf(first.slice(at, at + 480), 24000), responseId: "r1" });
    await clock.tick(20);
  }
  await clock.tick(1000);
  const secondAt = clock.now();
  const endsBefore = ends.map((end) => end.playing);
  transport.send({ ...frameOf(new Int16Array(2400), 24000), responseId: "r2" });
  await clock.tick(1000);
  const ofSecond = sent.filter((m) => m.at >= secondAt);
  await transport.close();
  return { loud: ofSecond.flatMap((m) => [...m.samples].filter((s) => s !== 0)), ends: endsBefore };
}

Deno.test("`WebSocketTransport` on Twilio ends a reply whose end falls on a cadence mark (no end-of-speech mark goes) at the quiet time", async () => {
  // 260 ms: the mark every 250 ms stands at its end, so no end-of-speech mark goes there.
  const { loud, ends } = await replyThenSilence(260);
  assert.deepEqual(ends, [false], "the stretch ended once, before the next reply");
  assert.deepEqual(loud, [], "nothing of r1 in front of r2");
});

Deno.test("`WebSocketTransport` on Twilio with no marks (`markIntervalMs: 0`) ends a reply of whole chunks at the quiet time", async () => {
  const { loud, ends } = await replyThenSilence(240, { markIntervalMs: 0 });
  assert.deepEqual(ends, [false]);
  assert.deepEqual(loud, [], "nothing of r1 in front of r2");
});

Deno.test("`WebSocketTransport` on Twilio tells `audioEnds` the reply plays on while a far end 150 ms behind still plays it", async () => {
  // The far end answers each mark 150 ms after it arrives: it plays that far behind the estimate.
  const { clock, transport, sent, ends } = await twilioCall({ answerAfterMs: 150 });
  for (let i = 0; i < 30; i++) {
    transport.send({ ...frameOf(new Int16Array(480).fill(3000), 24000), responseId: "r1" });
    await clock.tick(20);
  }
  await clock.tick(60); // the quiet time has passed: the stretch ends
  const lastMediaAt = sent.at(-1)!.at;
  assert.equal(ends.length, 1);
  assert.ok(ends[0]!.at < lastMediaAt + 150, "while the far end still plays the reply");
  assert.equal(ends[0]!.playing, true, "its last samples go after it, not dropped");
  await transport.close();
});

/** A reply written in two bursts at 24 kHz, the second as the far end plays the first's tail. */
async function twoBursts(transport: WebSocketTransport, clock: FakeClock, samples: Int16Array) {
  const burst = (from: number, to: number) => ({
    ...frameOf(samples.slice(from, to), 24000),
    responseId: "r1",
  });
  transport.send(burst(0, 24 * 255)); // 12 chunks, and 15 ms held back as its tail
  await clock.tick(248); // the tail leaves as the 12 chunks run out (250), and plays to 265
  transport.send(burst(24 * 255, samples.length));
  await clock.tick(2000);
}

Deno.test("`WebSocketTransport` on Twilio resamples a reply written in bursts, the next in time, as one stream (no restart inside it)", async () => {
  const { clock, transport, sent, ends } = await twilioCall();
  const tone = new Int16Array(24 * 555).map((_, i) => Math.round(8000 * Math.sin(i / 7)));
  await twoBursts(transport, clock, tone);
  const [body, tail] = wholeStream(tone, 24000, 8000);
  const wire = concatSamples(sent.map((m) => m.samples));
  // The continuous resample behind the filter's delay, its held end once at the end (if played).
  const stream = concatSamples([new Int16Array(tail.length), body]);
  assert.deepEqual(wire.subarray(0, stream.length), stream);
  assert.deepEqual(ends.length, 1, "one stretch");
  await transport.close();
});

Deno.test("`WebSocketTransport` on Vonage pads no frame inside a reply written in bursts, the next in time", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new VonageSerializer({ sampleRate: 16000 }),
    clock,
    audioOut: { sampleRate: 24000, chunkMs: 20 },
  });
  /** How many samples of silence end each binary frame. */
  const trailingZeros: number[] = [];
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data === "string") return;
    const samples = new Int16Array(data instanceof ArrayBuffer ? data : data.buffer.slice(0));
    let zeros = 0;
    for (let i = samples.length - 1; i >= 0 && samples[i] === 0; i--) zeros++;
    trailingZeros.push(zeros);
  });
  transport.receive(() => {});
  await clock.tick(10);
  await twoBursts(transport, clock, new Int16Array(24 * 555).fill(6000));
  // The frames before the last are all speech: the partial one at the first burst's end was
  // completed by the second, not padded with silence the timeline does not count.
  assert.ok(trailingZeros.length > 20);
  assert.deepEqual(trailingZeros.slice(0, -1).filter((zeros) => zeros > 0), []);
  await transport.close();
});

/** A background with nothing to play (its clip over): speech passes through, nothing fills. */
const idleBackground: OutboundMixer = {
  attach() {},
  mix: (chunk: AudioFrame) => chunk,
  fill: () => undefined,
  detach() {},
};

/**
 * A loud 100 ms reply, then a silent one a second later, on Twilio with `background`: the samples
 * of the second reply that are not silence (what the first left in front of it).
 */
async function afterLoudReply(background?: OutboundMixer): Promise<number[]> {
  const { clock, transport, sent } = await twilioCall(background ? { background } : {});
  transport.send({ ...frameOf(noise(2400, 3), 24000), responseId: "r1" });
  const secondAt = await silentReplyLater(transport, clock);
  await transport.close();
  return sent.filter((m) => m.at >= secondAt).flatMap((m) => [...m.samples].filter((s) => s !== 0));
}

// audioEnds is skipped while a background mixer fills the slots (its audio carries the stream on);
// one with nothing to play (`fill()` answers undefined: stopped, its clip over, not started) fills
// none, and a stretch ends as without one.
Deno.test("`WebSocketTransport` on Twilio leaves nothing of a reply in front of the next, with no background", async () => {
  assert.deepEqual(await afterLoudReply(), []);
});

Deno.test("`WebSocketTransport` on Twilio leaves nothing of a reply in front of the next under an idle background", async () => {
  const loud = await afterLoudReply(idleBackground);
  assert.deepEqual(loud, [], `${loud.length} samples of r1's end opened r2, a second later`);
});

// A bot that stops its background and writes its goodbye and `end` in the same turn gives the
// pump no idle slot in which the mixer could say it fills nothing: the stretch still ends at the
// `end`, so the goodbye's held end goes before the hang-up, as without a background.
for (const background of [false, true]) {
  Deno.test(`\`WebSocketTransport\` on Twilio sends a goodbye's held end before the hang-up${background ? ", its background stopped right before it" : ""}`, async () => {
    const { clock, transport, ends } = await twilioCall({
      endSilenceMs: 0,
      ...(background
        ? {
          background: new BackgroundAudio(new Int16Array(2400).fill(100), {
            sampleRate: 24000,
            fadeMs: 0,
          }),
        }
        : {}),
    });
    await clock.tick(290); // hold music plays
    if (background) (transport.background as BackgroundAudio).stop();
    transport.send({ ...frameOf(new Int16Array(2400).fill(3000), 24000), responseId: "bye" });
    transport.send({ type: "end" });
    await clock.tick(3000);
    await transport.closed;
    assert.deepEqual(ends.map((end) => end.playing), [true], "once, before the hang-up");
  });
}
