// The codecs and the resampler cut their outputs from slabs the whole process shares
// (src/audio/_slab.ts). What a session hands on must not be such a view: an inbound frame's
// `audio.buffer` would hold other callers' audio (a bot that sends `.buffer` to its speech
// recognizer leaks it), and a reader that transfers it to a Worker would empty other calls'
// queued frames and detach the slab every session's next decode is cut from.
import assert from "node:assert/strict";
import { ProtobufFrameSerializer } from "@pipecat-ai/websocket-transport";
import { type AudioFrame, type Frame, WebSocketTransport } from "../../mod.ts";
import { mulawDecode, mulawEncode, Resampler } from "../../src/audio/mod.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { TelephonyAudio } from "../../src/serializers/telephony/telephony_audio.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/** Transfers `bytes`' buffer away, as `postMessage(bytes, [bytes.buffer])` to a Worker does. */
function transfer(bytes: Uint8Array): void {
  structuredClone(bytes, { transfer: [bytes.buffer] });
}

/** Spans the whole of an `ArrayBuffer`: nobody else's bytes in it, nobody else's to detach. */
function assertOwnBuffer(bytes: Uint8Array, what: string): void {
  assert.equal(bytes.byteOffset, 0, `${what}: starts its buffer`);
  assert.equal(bytes.buffer.byteLength, bytes.byteLength, `${what}: is all of its buffer`);
}

const twilioMedia = (stream: string, byte: number, chunk: number) =>
  JSON.stringify({
    event: "media",
    streamSid: stream,
    media: {
      track: "inbound",
      chunk: String(chunk),
      timestamp: String(20 * chunk),
      payload: btoa(String.fromCharCode(...new Uint8Array(160).fill(byte))),
    },
  });

/** The audio frames among what a serializer's `deserialize` returned. */
function audioOf(result: unknown): AudioFrame[] {
  return [result].flat().filter((f): f is AudioFrame => (f as Frame | null)?.type === "audio");
}

function twilioAt(inputSampleRate: number, stream: string): TwilioSerializer {
  const serializer = new TwilioSerializer({ streamSid: stream });
  serializer.setup({
    inputSampleRate,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  return serializer;
}

Deno.test("inbound telephony frames of two sessions each get an ArrayBuffer of their own, resampled or not", () => {
  for (const rate of [8000, 16000]) {
    const a = twilioAt(rate, "MZA");
    const b = twilioAt(rate, "MZB");
    const frames: AudioFrame[] = [];
    for (let chunk = 1; chunk <= 3; chunk++) {
      frames.push(...audioOf(a.deserialize(twilioMedia("MZA", 0x90, chunk))));
      frames.push(...audioOf(b.deserialize(twilioMedia("MZB", 0x10, chunk))));
    }
    assert.equal(frames.length, 6);
    for (const [i, frame] of frames.entries()) {
      assertOwnBuffer(frame.audio, `${rate} Hz, frame ${i}`);
    }
    assert.equal(new Set(frames.map((f) => f.audio.buffer)).size, frames.length);
  }
});

Deno.test("a resampler's held-back samples flushed as a frame get a buffer of their own", () => {
  const audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000 });
  audio.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  audio.decode(new Uint8Array(160).fill(0x90));
  const tail = audio.flushInbound()!;
  assert.ok(tail.audio.length > 0);
  assertOwnBuffer(tail.audio, "flushed tail");
});

Deno.test("protobuf audio resampled to the transport's rate gets a buffer of their own", () => {
  const client = new ProtobufFrameSerializer();
  const ours = new ProtobufSerializer();
  ours.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  const pcm = new Int16Array(160).map((_, i) => (i * 97) % 3000 - 1500);
  const [frame] = audioOf(ours.deserialize(client.serializeAudio(pcm.buffer, 8000, 1)));
  assert.ok(frame !== undefined);
  assert.equal(frame.sampleRate, 16000);
  assertOwnBuffer(frame.audio, "resampled protobuf frame");
});

async function nextAudio(reader: ReadableStreamDefaultReader<Frame>): Promise<AudioFrame> {
  for (;;) {
    const { value } = await reader.read();
    if (value?.type === "audio") return value;
  }
}

function call(clock: FakeClock, name: string) {
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new TwilioSerializer(),
    audioIn: { sampleRate: 16000 },
    clock,
  });
  pair.client.send(
    JSON.stringify({ event: "start", start: { streamSid: `MZ${name}`, callSid: `CA${name}` } }),
  );
  return { pair, transport, reader: transport.readable.getReader() };
}

Deno.test("one call's reader transferring its frame's buffer takes nothing from another call, queued or later", async () => {
  const clock = new FakeClock();
  const a = call(clock, "A");
  const b = call(clock, "B");
  await clock.tick(0);
  b.pair.client.send(twilioMedia("MZB", 0x10, 1)); // decoded and queued, not read yet
  a.pair.client.send(twilioMedia("MZA", 0x90, 1));
  await clock.tick(0);
  const frameA = await nextAudio(a.reader);
  assert.equal(frameA.audio.buffer.byteLength, frameA.audio.byteLength, "A's buffer is A's audio");
  transfer(frameA.audio); // A's bot hands its audio to a Worker
  assert.equal(frameA.audio.byteLength, 0, "the transfer took A's frame");
  const queuedB = await nextAudio(b.reader);
  // 20 ms at 16 kHz, less the resampler's delay (a few samples) at the start.
  assert.ok(
    queuedB.audio.byteLength > 600,
    `B's queued audio is whole: ${queuedB.audio.byteLength}`,
  );
  assert.ok(queuedB.audio.some((byte) => byte !== 0), "and not silence");
  for (let chunk = 2; chunk <= 4; chunk++) {
    a.pair.client.send(twilioMedia("MZA", 0x90, chunk));
    b.pair.client.send(twilioMedia("MZB", 0x10, chunk));
  }
  await clock.tick(0);
  assert.equal(a.transport.stats.decodeErrors, 0, "A decodes on");
  assert.equal(b.transport.stats.decodeErrors, 0, "B decodes on");
  for (let chunk = 2; chunk <= 4; chunk++) {
    assert.equal((await nextAudio(a.reader)).audio.byteLength, 640);
    assert.equal((await nextAudio(b.reader)).audio.byteLength, 640);
  }
  await a.transport.close();
  await b.transport.close();
});

Deno.test("a codec output transferred despite its documentation does not stop later codec calls", () => {
  const first = mulawDecode(new Uint8Array(160).fill(0x90));
  // Its neighbours on the slab go with it (the documented hazard of the public functions), but
  // every later call, of any session, gets a fresh slab.
  transfer(new Uint8Array(first.buffer, first.byteOffset, first.byteLength));
  let later: Int16Array = new Int16Array(0);
  assert.doesNotThrow(() => later = mulawDecode(new Uint8Array(160).fill(0x10)), "decode");
  assert.equal(later.length, 160);
  assert.doesNotThrow(() => assert.equal(mulawEncode(later).length, 160), "encode");
  const resampler = new Resampler({ inputRate: 8000, outputRate: 16000 });
  assert.doesNotThrow(() => assert.ok(resampler.process(later).length > 0), "resample");
});

Deno.test("outbound binary messages of two sessions are buffers of their own, encoded or resampled", () => {
  // Asterisk's μ-law at 8 kHz: encoded straight from the bot's 8 kHz frames.
  const asterisk = [new AsteriskSerializer(), new AsteriskSerializer()];
  // Vonage's PCM16 at 16 kHz: the bot's 24 kHz audio resampled.
  const vonage = [new VonageSerializer(), new VonageSerializer()];
  const pcm8k: AudioFrame = {
    type: "audio",
    audio: new Uint8Array(320).fill(0x41),
    sampleRate: 8000,
    channels: 1,
  };
  const pcm24k: AudioFrame = { ...pcm8k, audio: new Uint8Array(960).fill(0x41), sampleRate: 24000 };
  const sent: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    for (const serializer of asterisk) {
      serializer.setup({
        inputSampleRate: 8000,
        inputChannels: 1,
        outputSampleRate: 8000,
        outputChannels: 1,
      });
      sent.push(...[serializer.serialize(pcm8k)].flat().filter((m) => m instanceof Uint8Array));
    }
    for (const serializer of vonage) {
      serializer.setup({
        inputSampleRate: 16000,
        inputChannels: 1,
        outputSampleRate: 24000,
        outputChannels: 1,
      });
      sent.push(...[serializer.serialize(pcm24k)].flat().filter((m) => m instanceof Uint8Array));
    }
  }
  assert.ok(sent.length >= 12, `${sent.length} binary messages`);
  for (const [i, message] of sent.entries()) assertOwnBuffer(message, `message ${i}`);
  // TelephonyAudio.encode, for a serializer of one's own, and the outbound flush.
  const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 8000 });
  const encoded = audio.encode(pcm24k)!;
  assertOwnBuffer(encoded, "TelephonyAudio.encode");
  assertOwnBuffer(audio.flushOutbound()!, "TelephonyAudio.flushOutbound");
});
