// The codecs and the resampler cut their outputs from slabs the whole process shares
// (src/audio/_slab.ts). What a session hands on must not be such a view: an inbound frame's
// `audio.buffer` would hold other callers' audio (a bot that sends `.buffer` to its speech
// recognizer leaks it), and a reader that transfers it to a Worker would empty other calls'
// queued frames. Nor a buffer of its own each: that cost more than the rest of the frame's way
// (src/audio/_owned_slab.ts). A session cuts its frames, and apart from them its messages, from
// slabs of its own: a frame's buffer holds the same call's inbound audio only, and a transfer
// never breaks later frames or messages, of that call or another.
import assert from "node:assert/strict";
import { ProtobufFrameSerializer } from "@pipecat-ai/websocket-transport";
import { type AudioFrame, type Frame, WebSocketTransport } from "../../mod.ts";
import { mulawDecode, mulawEncode, pcm16Samples, Resampler } from "../../src/audio/mod.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { decodeBase64 } from "../../src/serializers/telephony/base64.ts";
import { TelephonyAudio } from "../../src/serializers/telephony/telephony_audio.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/** Transfers `bytes`' buffer away, as `postMessage(bytes, [bytes.buffer])` to a Worker does. */
function transfer(bytes: Uint8Array): void {
  structuredClone(bytes, { transfer: [bytes.buffer] });
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

Deno.test("inbound telephony frames: one call's share its slab, never another call's or the process's", () => {
  for (const rate of [8000, 16000]) {
    const a = twilioAt(rate, "MZA");
    const b = twilioAt(rate, "MZB");
    const framesA: AudioFrame[] = [];
    const framesB: AudioFrame[] = [];
    const processViews: ArrayBufferLike[] = [];
    for (let chunk = 1; chunk <= 4; chunk++) {
      framesA.push(...audioOf(a.deserialize(twilioMedia("MZA", 0x90, chunk))));
      // The public codecs in between: their outputs are the process's slab.
      processViews.push(mulawDecode(new Uint8Array(160).fill(0x33)).buffer);
      framesB.push(...audioOf(b.deserialize(twilioMedia("MZB", 0x10, chunk))));
    }
    assert.equal(framesA.length + framesB.length, 8);
    const buffersA = new Set(framesA.map((f) => f.audio.buffer));
    const buffersB = new Set(framesB.map((f) => f.audio.buffer));
    for (const buffer of buffersA) {
      assert.ok(!buffersB.has(buffer), `${rate} Hz: A's and B's frames share no buffer`);
      assert.ok(!processViews.includes(buffer), `${rate} Hz: nor the process's slab`);
    }
    for (const buffer of buffersB) assert.ok(!processViews.includes(buffer));
    // A buffer each would cost more than decoding: 4 frames of a call share one.
    assert.equal(buffersA.size, 1, `${rate} Hz: A's frames are cut from one slab`);
    assert.equal(buffersB.size, 1, `${rate} Hz: B's frames are cut from one slab`);
  }
});

Deno.test("an inbound frame's buffer holds that call's inbound audio only, not the bot's", () => {
  const audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000 });
  audio.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  const other = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000 });
  other.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  const caller = mulawDecode(new Uint8Array([0x90]))[0]!;
  const bot: AudioFrame = {
    type: "audio",
    audio: new Uint8Array(320).fill(0x41),
    sampleRate: 8000,
    channels: 1,
  };
  const frames: AudioFrame[] = [];
  for (let i = 0; i < 5; i++) {
    frames.push(audio.decode(new Uint8Array(160).fill(0x90))!);
    audio.encode(bot); // the bot's audio, the same call's, out
    other.decode(new Uint8Array(160).fill(0x10)); // another call's audio in
  }
  for (const frame of frames) {
    const everything = new Int16Array(frame.audio.buffer);
    assert.ok(
      everything.every((sample) => sample === 0 || sample === caller),
      "nothing but the caller's samples (and unused zeros) in the frame's buffer",
    );
  }
});

Deno.test("a resampler's held-back samples flushed as a frame are cut from the call's slab", () => {
  const audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000 });
  const other = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000 });
  for (const converter of [audio, other]) {
    converter.setup({
      inputSampleRate: 16000,
      inputChannels: 1,
      outputSampleRate: 8000,
      outputChannels: 1,
    });
  }
  const frame = audio.decode(new Uint8Array(160).fill(0x90))!;
  const otherFrame = other.decode(new Uint8Array(160).fill(0x10))!;
  const tail = audio.flushInbound()!;
  assert.ok(tail.audio.length > 0);
  assert.notEqual(tail.audio.buffer, otherFrame.audio.buffer, "not another call's");
  assert.equal(tail.audio.buffer, frame.audio.buffer, "the call's own slab");
});

Deno.test("protobuf frames resampled or remixed: one session's share its slab, never another's or the process's", () => {
  const client = new ProtobufFrameSerializer();
  const sessions = [new ProtobufSerializer(), new ProtobufSerializer()];
  for (const session of sessions) {
    session.setup({
      inputSampleRate: 16000,
      inputChannels: 1,
      outputSampleRate: 16000,
      outputChannels: 1,
    });
  }
  const mono8k = new Int16Array(160).map((_, i) => (i * 97) % 3000 - 1500);
  const stereo16k = new Int16Array(640).map((_, i) => (i * 89) % 3000 - 1500);
  const buffers = sessions.map(() => new Set<ArrayBufferLike>());
  const processViews: ArrayBufferLike[] = [];
  for (let i = 0; i < 3; i++) {
    for (const [s, session] of sessions.entries()) {
      const resampled = audioOf(session.deserialize(client.serializeAudio(mono8k.buffer, 8000, 1)));
      const remixed = audioOf(
        session.deserialize(client.serializeAudio(stereo16k.buffer, 16000, 2)),
      );
      for (const frame of [...resampled, ...remixed]) {
        assert.equal(frame.sampleRate, 16000);
        assert.equal(frame.channels, 1);
        buffers[s]!.add(frame.audio.buffer);
      }
      processViews.push(mulawDecode(new Uint8Array(160)).buffer);
    }
  }
  const [first, second] = buffers as [Set<ArrayBufferLike>, Set<ArrayBufferLike>];
  for (const buffer of first) assert.ok(!second.has(buffer), "two sessions share no buffer");
  for (const buffer of [...first, ...second]) {
    assert.ok(!processViews.includes(buffer), "nor one with the process's slab");
  }
  assert.equal(first.size, 1, "a session's frames are cut from one slab");
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

Deno.test("one call's reader transferring its frame's buffer takes nothing from another call, queued or later, nor from its own later frames", async () => {
  const clock = new FakeClock();
  const a = call(clock, "A");
  const b = call(clock, "B");
  await clock.tick(0);
  b.pair.client.send(twilioMedia("MZB", 0x10, 1)); // decoded and queued, not read yet
  a.pair.client.send(twilioMedia("MZA", 0x90, 1));
  await clock.tick(0);
  const frameA = await nextAudio(a.reader);
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
    const laterA = await nextAudio(a.reader);
    assert.equal(laterA.audio.byteLength, 640);
    assert.ok(laterA.audio.some((byte) => byte !== 0), "A's later frames are audio");
    assert.equal((await nextAudio(b.reader)).audio.byteLength, 640);
  }
  await a.transport.close();
  await b.transport.close();
});

Deno.test("a frame transferred as documented (a slice) takes none of the call's other frames; one transferred whole, none of its messages", () => {
  const audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000 });
  audio.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  const bot: AudioFrame = {
    type: "audio",
    audio: new Uint8Array(320).fill(0x41),
    sampleRate: 8000,
    channels: 1,
  };
  const message = audio.encode(bot)!; // queued in a socket, say
  const kept = audio.decode(new Uint8Array(160).fill(0x90))!;
  const sent = audio.decode(new Uint8Array(160).fill(0x90))!;
  transfer(sent.audio.slice());
  assert.equal(kept.audio.byteLength, 320, "the kept frame is whole");
  assert.equal(sent.audio.byteLength, 320, "and so is the one sent");
  transfer(sent.audio); // the whole buffer: the call's other frames on it may go, not its messages
  assert.equal(message.byteLength, 160, "the message is whole");
  const later = audio.decode(new Uint8Array(160).fill(0x90))!;
  assert.equal(later.audio.byteLength, 320, "and later frames too");
  assert.equal(audio.encode(bot)!.byteLength, 160, "and later messages");
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

Deno.test("outbound binary messages of two sessions share no buffer, nor one with the process's slab", () => {
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
  const sessions = [...asterisk, ...vonage];
  const sent = sessions.map(() => new Set<ArrayBufferLike>());
  const processViews: ArrayBufferLike[] = [];
  for (const serializer of asterisk) {
    serializer.setup({
      inputSampleRate: 8000,
      inputChannels: 1,
      outputSampleRate: 8000,
      outputChannels: 1,
    });
  }
  for (const serializer of vonage) {
    serializer.setup({
      inputSampleRate: 16000,
      inputChannels: 1,
      outputSampleRate: 24000,
      outputChannels: 1,
    });
  }
  for (let i = 0; i < 3; i++) {
    for (const [s, serializer] of sessions.entries()) {
      const frame = s < asterisk.length ? pcm8k : pcm24k;
      for (const message of [serializer.serialize(frame)].flat()) {
        if (message instanceof Uint8Array) sent[s]!.add(message.buffer);
      }
      processViews.push(mulawEncode(new Int16Array(160)).buffer);
    }
  }
  for (const [s, buffers] of sent.entries()) {
    assert.ok(buffers.size > 0, `session ${s} sent binary messages`);
    for (const buffer of buffers) {
      assert.ok(!processViews.includes(buffer), `session ${s}: not the process's slab`);
      for (const [t, others] of sent.entries()) {
        if (t !== s) assert.ok(!others.has(buffer), `sessions ${s} and ${t} share no buffer`);
      }
    }
  }
  // TelephonyAudio.encode, for a serializer of one's own, and the outbound flush.
  const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 8000 });
  const encoded = audio.encode(pcm24k)!;
  const tail = audio.flushOutbound()!;
  const elsewhere = mulawEncode(new Int16Array(160)).buffer;
  assert.notEqual(encoded.buffer, elsewhere, "TelephonyAudio.encode: not the process's slab");
  assert.equal(tail.buffer, encoded.buffer, "the flush: the converter's message slab");
});

Deno.test("Exotel and Telnyx base64 their audio without bytes of their own (no message slab, no allocation)", () => {
  const encode = TelephonyAudio.prototype.encode;
  let owned = 0;
  TelephonyAudio.prototype.encode = function (this: TelephonyAudio, frame: AudioFrame) {
    owned++;
    return encode.call(this, frame);
  };
  try {
    const bot: AudioFrame = {
      type: "audio",
      audio: new Uint8Array(320).fill(0x41),
      sampleRate: 8000,
      channels: 1,
    };
    // Exotel's PCM16 (padded to its chunk size), Telnyx's μ-law.
    const cases = [
      { serializer: new ExotelSerializer({ streamSid: "MZX" }), wire: bot.audio },
      { serializer: new TelnyxSerializer(), wire: mulawEncode(pcm16Samples(bot.audio)) },
    ];
    for (const { serializer, wire } of cases) {
      serializer.setup({
        inputSampleRate: 8000,
        inputChannels: 1,
        outputSampleRate: 8000,
        outputChannels: 1,
      });
      const message = JSON.parse(serializer.serialize(bot) as string);
      const payload = decodeBase64(message.media.payload);
      assert.deepEqual(payload.subarray(0, wire.length), wire, "the audio goes out as it was");
    }
    assert.equal(owned, 0, "no message slab taken for bytes base64'd at once");
  } finally {
    TelephonyAudio.prototype.encode = encode;
  }
});
