// The outbound resampler's last samples at a reply's end. A bot whose audio has another rate than
// the wire's (24 kHz speech synthesis to Twilio's 8 kHz, 22.05 kHz to 16 kHz) is resampled as one
// stream: each message carries exactly its chunk's length at the wire rate (the stream begins with
// the filter's delay as silence), so the last few samples of what came in (0.25 ms at 8 kHz, up to
// 2.3 ms for 22.05 → 16 kHz) are still in the filter when the reply's last chunk has left. These
// tests pin what holds today: what leaves is the whole-stream resample, sample for sample, behind
// that delay; `flushOutbound` hands over exactly what a reply still owes; an interruption leaves
// nothing of the interrupted reply for the next one.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../../mod.ts";
import { Resampler } from "../../src/audio/resampler.ts";
import { TelephonyAudio } from "../../src/serializers/telephony/telephony_audio.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/** Broadband audio (a seeded noise burst): every sample of a misalignment shows. */
function noise(count: number, seed = 7): Int16Array {
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    samples[i] = Math.round(12000 * (seed / 0x7fffffff - 0.5));
  }
  return samples;
}

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

const concat = (parts: Int16Array[]) => {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

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
    const sent = concat(parts);
    // The filter's delay as silence, then the stream, short of its last `tail.length` samples.
    const expected = concat([new Int16Array(tail.length), body]);
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
    assert.deepEqual(concat([sent, owed]), concat([new Int16Array(tail.length), body, tail]));
    const [nextBody] = wholeStream(second, from, to);
    assert.deepEqual(next, concat([new Int16Array(tail.length), nextBody]), `${from} → ${to}`);
  }
});

Deno.test("`WebSocketTransport` on Twilio leaves nothing of an interrupted resampled reply in the next one", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new TwilioSerializer({ encoding: "pcm16le" }),
    clock,
    audioOut: { sampleRate: 24000, chunkMs: 20 },
  });
  const sent: { at: number; samples: Int16Array }[] = [];
  pair.client.addEventListener("message", (event) => {
    const message = JSON.parse((event as MessageEvent<string>).data);
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
