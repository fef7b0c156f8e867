// Telnyx in G722 (wideband). Telnyx's stream codec (`stream_codec`) and bidirectional codec
// (`stream_bidirectional_codec`) may be "PCMU, PCMA, G722, OPUS, AMR-WB, L16", the bidirectional
// sampling rate 8000, 16000 or 24000
// (https://developers.telnyx.com/api-reference/call-commands/streaming-start); its media
// streaming reference shows `start.media_format` as `{ encoding, sample_rate, channels }` and
// says media frames carry "a base64-encoded RTP payload without RTP headers"
// (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket). It
// states no sample_rate for G722: RTP's clock for G.722 is 8000 though it samples at 16 kHz
// (RFC 3551 §4.5.2), so a start may say either. A G.722 RTP payload is the codec's bytes, one a
// tick: 160 bytes for 20 ms. The expected audio and bytes are ffmpeg's (tests/audio/fixtures).
import assert from "node:assert/strict";
import { type AudioFrame, WebSocketTransport } from "@x/ws-transport";
import { G722Decoder, G722Encoder } from "@x/ws-transport/audio";
import { FakeClock, MemorySocketPair } from "@x/ws-transport/testing";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { toneRoundTrip } from "./fixtures/telephony_harness.ts";

const fixture = async (name: string) =>
  new Uint8Array(await Deno.readFile(new URL(`../audio/fixtures/${name}`, import.meta.url)));
const samplesOf = (bytes: Uint8Array) =>
  new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);

const start = (sampleRate: number) =>
  JSON.stringify({
    event: "start",
    sequence_number: "1",
    stream_id: "s1",
    start: {
      call_control_id: "v3:g722",
      media_format: { encoding: "G722", sample_rate: sampleRate, channels: 1 },
    },
  });
const media = (chunk: number, payload: Uint8Array) =>
  JSON.stringify({
    event: "media",
    sequence_number: String(chunk + 1),
    stream_id: "s1",
    media: {
      track: "inbound",
      chunk: String(chunk),
      timestamp: String((chunk - 1) * 20),
      payload: payload.toBase64(),
    },
  });

/**
 * A transport at 16 kHz on a memory socket with a Telnyx serializer; the caller's frames, read as
 * they come.
 */
function call(telnyx: TelnyxSerializer, clock = new FakeClock()) {
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: telnyx,
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const errors: unknown[] = [];
  transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
  const sent: string[] = [];
  client.addEventListener("message", (e) => sent.push((e as MessageEvent).data));
  return { transport, client, clock, errors, sent };
}

/** The caller's audio frames until `samples` samples have come. */
async function readAudio(transport: WebSocketTransport, samples: number): Promise<AudioFrame[]> {
  const reader = transport.readable.getReader();
  const frames: AudioFrame[] = [];
  let read = 0;
  while (read < samples) {
    const { value } = await reader.read();
    if (value?.type !== "audio") continue;
    assert.equal(value.sampleRate, 16000);
    frames.push(value);
    read += value.audio.length / 2;
  }
  reader.releaseLock();
  return frames;
}

function joined(frames: AudioFrame[]): Int16Array {
  const bytes = new Uint8Array(frames.reduce((n, f) => n + f.audio.length, 0));
  let at = 0;
  for (const frame of frames) {
    bytes.set(frame.audio, at);
    at += frame.audio.length;
  }
  return samplesOf(bytes);
}

for (const sampleRate of [16000, 8000]) {
  Deno.test(`\`TelnyxSerializer\` decodes a G722 stream (start sample_rate ${sampleRate}) as ffmpeg does, sample for sample`, async () => {
    const codes = await fixture("g722_speech.ffmpeg.g722");
    const expected = samplesOf(await fixture("g722_speech.ffmpeg_decoded.raw"));
    const { transport, client, clock, errors } = call(new TelnyxSerializer());
    client.send(start(sampleRate));
    for (let chunk = 1; chunk * 160 <= codes.length; chunk++) {
      client.send(media(chunk, codes.subarray((chunk - 1) * 160, chunk * 160)));
    }
    const frames = await readAudio(transport, expected.length);
    assert.deepEqual(joined(frames), expected);
    assert.deepEqual(frames.map((f) => f.timestampMs), frames.map((_, i) => i * 20));
    assert.deepEqual(errors, []);
    await transport.close();
    await clock.runAll();
  });
}

Deno.test("`TelnyxSerializer` fills a lost G722 packet with 20 ms that fades out, and its decoder comes back in step", async () => {
  const codes = await fixture("g722_speech.ffmpeg.g722");
  const expected = samplesOf(await fixture("g722_speech.ffmpeg_decoded.raw"));
  const { transport, client, clock, errors } = call(new TelnyxSerializer());
  client.send(start(16000));
  const lost = 11; // 200–220 ms: speech
  for (let chunk = 1; chunk * 160 <= codes.length; chunk++) {
    if (chunk !== lost) client.send(media(chunk, codes.subarray((chunk - 1) * 160, chunk * 160)));
  }
  const frames = await readAudio(transport, expected.length);
  const samples = joined(frames);
  assert.equal(samples.length, expected.length, "the gap is as long as the packet lost");
  assert.equal(transport.stats.inboundMediaGapsFilled, 1);
  assert.equal(transport.stats.inboundMediaGapMs, 20);
  const gap = (lost - 1) * 320;
  assert.deepEqual(samples.subarray(0, gap), expected.subarray(0, gap), "as ffmpeg before it");
  // The gap fades out: its last 5 ms are 20 dB under its first.
  const power = (from: number, to: number, minus?: Int16Array) => {
    let sum = 0;
    for (let i = from; i < to; i++) sum += (samples[i]! - (minus?.[i] ?? 0)) ** 2;
    return sum / (to - from);
  };
  assert.ok(power(gap + 240, gap + 320) * 100 < power(gap, gap + 80), "fades");
  // From 200 ms after the gap on, the error is 25 dB under the speech's power (it cannot be
  // exact: the decoder's state after the gap is not the sender's).
  const speech = expected.reduce((sum, s) => sum + s * s, 0) / expected.length;
  const from = gap + 320 + 3200;
  const errorDb = 10 * Math.log10(power(from, samples.length, expected) / speech);
  assert.ok(errorDb < -25, `error ${errorDb.toFixed(1)} dB`);
  assert.deepEqual(errors, []);
  await transport.close();
  await clock.runAll();
});

Deno.test("`TelnyxSerializer` sends G722 as ffmpeg encodes it, a reply's short last chunk padded by the encoder", async () => {
  const pcm = samplesOf(await fixture("g722_speech.raw"));
  const ffmpeg = await fixture("g722_speech.ffmpeg.g722");
  const telnyx = new TelnyxSerializer({ outboundEncoding: "g722", outboundSampleRate: 16000 });
  const { transport, client, clock, errors, sent } = call(telnyx);
  client.send(start(16000));
  // 1 s of speech and 5 ms more: fifty 20 ms chunks, then 5 ms, padded to Telnyx's 20 ms least.
  const reply = new Int16Array(pcm.length + 80);
  reply.set(pcm);
  reply.set(pcm.subarray(0, 80), pcm.length);
  const audio = new Uint8Array(reply.buffer);
  transport.send({ type: "audio", audio, sampleRate: 16000, channels: 1 });
  for (let i = 0; i < 60; i++) await clock.tick(20);
  const payloads = sent.map((m) => JSON.parse(m)).filter((m) => m.event === "media")
    .map((m) => Uint8Array.fromBase64(m.media.payload));
  assert.deepEqual(errors, []);
  assert.equal(payloads.length, 51);
  assert.ok(payloads.every((p) => p.length === 160), "20 ms each: 160 bytes");
  const bytes = new Uint8Array(payloads.flatMap((p) => [...p]));
  assert.deepEqual(bytes.subarray(0, 8000), ffmpeg, "ffmpeg's bytes for the same second");
  // The padding: zeros through the stream's encoder, its state carried on.
  const padded = new Int16Array(reply.length + 240);
  padded.set(reply);
  assert.deepEqual(bytes, new G722Encoder().encode(padded));
  assert.equal(telnyx.paddedMessages, 1);
  assert.equal(telnyx.paddingBytes, 120);
  await transport.close();
  await clock.runAll();
});

Deno.test("`TelnyxSerializer` keeps a 1 kHz tone through G722 both ways, resampled from 24 kHz", async () => {
  const telnyx = new TelnyxSerializer({ outboundEncoding: "g722", outboundSampleRate: 8000 });
  telnyx.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
  });
  telnyx.deserialize(start(8000));
  let chunk = 0;
  await toneRoundTrip(telnyx, (message) => {
    const payload = Uint8Array.fromBase64((message.media as { payload: string }).payload);
    assert.equal(payload.length, 160, "20 ms of G.722");
    return media(++chunk, payload);
  }, { outRate: 24000, inRate: 16000 });
});

Deno.test("`TelnyxSerializer` refuses a G722 start at a rate G.722 is not sent at, and a G722 outboundSampleRate of 24000", () => {
  const telnyx = new TelnyxSerializer();
  assert.throws(() => telnyx.deserialize(start(24000)), {
    code: "decode",
    message: /sample_rate is 24000 for G722/,
  });
  assert.throws(
    () => new TelnyxSerializer({ outboundEncoding: "g722", outboundSampleRate: 24000 }),
    /Telnyx takes g722 at 8000 or 16000 Hz, got outboundSampleRate 24000/,
  );
});

Deno.test("`TelnyxSerializer` decodes each G722 stream from a fresh decoder: a new start begins afresh", () => {
  const codes = new G722Encoder().encode(new Int16Array(320).fill(8000));
  const telnyx = new TelnyxSerializer();
  telnyx.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  const first = () => {
    telnyx.deserialize(start(16000));
    const frame = telnyx.deserialize(media(1, codes)) as AudioFrame[] | AudioFrame;
    const audio = (Array.isArray(frame) ? frame[0]! : frame).audio;
    return samplesOf(audio.slice());
  };
  const once = first();
  assert.deepEqual(once, new G722Decoder().decode(codes));
  assert.deepEqual(first(), once);
});
