import assert from "node:assert/strict";
import fc from "fast-check";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { TransportError } from "../../src/errors.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import { vonageCall } from "./fixtures/vonage_call.ts";
import { analyze, fuzzDeserializer, samplesOf, tone } from "./fixtures/telephony_harness.ts";
import { PLAYOUT_MARK_PREFIX } from "../../src/playback.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

const SETUP_16K = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};

function list<T>(result: T | T[] | null): T[] {
  return result === null ? [] : Array.isArray(result) ? result : [result];
}

Deno.test("`VonageSerializer` plays a documented call message by message both ways", () => {
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  for (const [index, step] of vonageCall.entries()) {
    if ("from" in step) {
      const data = typeof step.wire === "number"
        ? new Uint8Array(step.wire).fill(7)
        : JSON.stringify(step.wire);
      const frames = list(vonage.deserialize(data));
      if (step.frames === "audio") {
        assert.equal(frames.length, 1, `step ${index}`);
        const audio = frames[0] as AudioFrame;
        assert.equal(audio.type, "audio");
        assert.equal(audio.sampleRate, 16000);
        assert.equal(audio.audio.length, step.wire);
      } else {
        assert.deepEqual(frames, step.frames, `step ${index}`);
      }
    } else {
      const result = vonage.serialize(step.frame);
      if (step.wire === null) {
        assert.equal(result, null, `step ${index}`);
        continue;
      }
      const sent = list(result).map((m) => typeof m === "string" ? JSON.parse(m) : m.length);
      assert.deepEqual(sent, step.wire, `step ${index}: ${step.frame.type}`);
    }
  }
});

Deno.test("`VonageSerializer` pads the held partial frame with silence, never with stale audio", () => {
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  const loud = new Uint8Array(960).fill(0x7f);
  assert.equal(
    list(vonage.serialize({ type: "audio", audio: loud, sampleRate: 16000, channels: 1 })).length,
    1,
  );
  const [tail] = list(vonage.serialize({ type: "end" })) as Uint8Array[];
  assert.deepEqual([...tail!.subarray(0, 320)], new Array(320).fill(0x7f));
  assert.deepEqual([...tail!.subarray(320)], new Array(320).fill(0));
  // After an interruption nothing of the old partial frame survives.
  vonage.serialize({ type: "audio", audio: loud, sampleRate: 16000, channels: 1 });
  vonage.serialize({ type: "interruption" });
  assert.equal(vonage.serialize({ type: "end" }), null);
});

Deno.test("`VonageSerializer` follows websocket:connected to 8 kHz: 320-byte frames, resampled both ways", () => {
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  vonage.deserialize('{"event":"websocket:connected","content-type":"audio/l16;rate=8000"}');
  assert.equal(vonage.sampleRate, 8000);
  // 100 ms at 16 kHz out → 8 kHz, cut into 20 ms (320-byte) frames.
  const out = list(
    vonage.serialize({
      type: "audio",
      audio: new Uint8Array(3200),
      sampleRate: 16000,
      channels: 1,
    }),
  );
  assert.ok(out.length >= 4 && out.every((m) => m instanceof Uint8Array && m.length === 320));
  // 20 ms at 8 kHz in → about 20 ms at 16 kHz.
  let inbound = 0;
  for (let i = 0; i < 10; i++) {
    for (const f of list(vonage.deserialize(new Uint8Array(320)))) {
      inbound += (f as AudioFrame).audio.length;
    }
  }
  // The resampler holds back a few milliseconds of filter delay.
  assert.ok(inbound <= 6400 && inbound >= 6400 - 160, `${inbound} bytes at 16 kHz for 200 ms`);
});

Deno.test("`VonageSerializer` keeps a 1 kHz tone's frequency and level from 24 kHz out to 16 kHz in", () => {
  const vonage = new VonageSerializer();
  vonage.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
  });
  const source = tone(1000, 24000, 24000);
  const received: AudioFrame[] = [];
  for (let at = 0; at < source.length; at += 480) {
    const pcm = source.slice(at, at + 480);
    const frame: Frame = {
      type: "audio",
      audio: new Uint8Array(pcm.buffer),
      sampleRate: 24000,
      channels: 1,
    };
    for (const message of list(vonage.serialize(frame))) {
      assert.ok(message instanceof Uint8Array);
      assert.equal(message.length, 640);
      // Vonage plays what we send; its echo comes back as binary in the same format.
      for (const f of list(vonage.deserialize(message.slice()))) received.push(f as AudioFrame);
    }
  }
  const samples = samplesOf(received);
  const steady = samples.subarray(800, samples.length - 320);
  const measured = analyze(steady, 16000);
  const sent = analyze(source, 24000);
  assert.ok(Math.abs(measured.frequency - 1000) < 2, `frequency ${measured.frequency}`);
  assert.ok(Math.abs(measured.dbfs - sent.dbfs) < 0.5, `level ${measured.dbfs} vs ${sent.dbfs}`);
});

Deno.test("`VonageSerializer` rejects malformed messages with decode errors", () => {
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  for (
    const bad of [
      new Uint8Array(641),
      "{",
      "[]",
      '{"event":1}',
      '{"event":"websocket:dtmf","digit":"x"}',
      '{"event":"websocket:connected","content-type":"audio/l16;rate=11025"}',
      '{"event":"websocket:connected","content-type":"audio/opus"}',
      '{"event":"websocket:connected","content-type":7}',
    ]
  ) {
    assert.throws(
      () => vonage.deserialize(bad),
      (e) => e instanceof TransportError && e.code === "decode",
    );
  }
  assert.throws(() => new VonageSerializer({ sampleRate: 12345 }), RangeError);
});

Deno.test("`VonageSerializer` answers every fuzzed message with frames or a decode error", async () => {
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  const { frames, errors } = await fuzzDeserializer(vonage, {
    events: ["websocket:connected", "websocket:dtmf", "websocket:notify", "websocket:cleared"],
    fields: {
      "content-type": fc.constantFrom(
        "audio/l16;rate=16000",
        "audio/l16;rate=8000",
        "audio/l16",
        "x",
      ),
      digit: fc.constantFrom("1", "#", "*", "A", 7, "12"),
      dtmf: fc.record({ digit: fc.constantFrom("1", "z") }),
      payload: fc.record({ mark: fc.string({ maxLength: 4 }) }),
      headers: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue()),
    },
  });
  assert.ok(frames > 1000 && errors > 100, `${frames} frames, ${errors} errors`);
});

Deno.test("`VonageSerializer` takes the Video API's Audio Connector: a bare content-type opens it", () => {
  // The Audio Connector guide (Vonage Video API): the first message is text, the audio format in
  // `content-type` (16 kHz by default, 8 kHz with `audioRate: 8000`) beside the headers the
  // connection was started with; then binary 16-bit PCM frames, as on the Voice API.
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  const start = vonage.deserialize(
    JSON.stringify({ "content-type": "audio/l16;rate=8000", sessionId: "2_MX4", customer: "c-42" }),
  );
  assert.deepEqual(start, { type: "start", params: { sessionId: "2_MX4", customer: "c-42" } });
  assert.equal(vonage.sampleRate, 8000);
  const frames = list(vonage.serialize({
    type: "audio",
    audio: new Uint8Array(1280), // 40 ms at 16 kHz
    sampleRate: 16000,
    channels: 1,
  }));
  assert.ok(frames.length >= 1);
  assert.ok(frames.every((f) => f instanceof Uint8Array && f.length === 320), "20 ms at 8 kHz");
  // Events the Voice API does not send reach the bot as they are.
  const update = { event: "websocket:media:update", method: "update", active: false };
  assert.deepEqual(vonage.deserialize(JSON.stringify(update)), {
    type: "message",
    message: update,
  });
});

Deno.test("`VonageSerializer` puts no silence into speech for the transport's own playout marks", () => {
  const vonage = new VonageSerializer();
  vonage.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  const audio = (bytes: number) => ({
    type: "audio" as const,
    audio: new Uint8Array(bytes).fill(1),
    sampleRate: 16000,
    channels: 1,
  });
  assert.deepEqual((vonage.serialize(audio(960)) as Uint8Array[]).map((m) => m.length), [640]);
  // A playout mark: only the notify; the 320 bytes waiting stay for the next audio.
  assert.deepEqual(
    vonage.serialize({ type: "mark", name: "__wst:1" }),
    '{"action":"notify","payload":{"mark":"__wst:1"}}',
  );
  const next = vonage.serialize(audio(320)) as Uint8Array[];
  assert.equal(next.length, 1);
  assert.ok(next[0]!.every((b) => b === 1), "the frame is all speech, no padding");
});

Deno.test("`VonageSerializer` on websocket:cleared releases the marks of that clear, not those sent after it", () => {
  // Vonage's WebSocket page: `websocket:cleared` is the "acknowledgement that a clear command
  // emptied the playback buffer"; it says nothing of audio queued after the clear.
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  const audio = {
    type: "audio" as const,
    audio: new Uint8Array(640),
    sampleRate: 16000,
    channels: 1,
  };
  vonage.serialize(audio);
  vonage.serialize({ type: "mark", name: "old" });
  assert.equal(vonage.serialize({ type: "interruption" }), '{"action":"clear"}');
  vonage.serialize(audio); // the next response, before the clear's answer came back
  vonage.serialize({ type: "mark", name: "new" });
  assert.deepEqual(vonage.deserialize('{"event":"websocket:cleared"}'), [
    { type: "mark", name: "old" },
  ]);
  // "new" is acknowledged when Vonage says it played, not before.
  assert.deepEqual(
    vonage.deserialize('{"event":"websocket:notify","payload":{"mark":"new"}}'),
    { type: "mark", name: "new" },
  );
  // A cleared mark Vonage notifies before its cleared answer comes is taken once, not twice.
  vonage.serialize({ type: "mark", name: "third" });
  vonage.serialize({ type: "interruption" });
  assert.deepEqual(
    vonage.deserialize('{"event":"websocket:notify","payload":{"mark":"third"}}'),
    { type: "mark", name: "third" },
  );
  assert.deepEqual(vonage.deserialize('{"event":"websocket:cleared"}'), []);
});

Deno.test("`VonageSerializer` carries the partial frame it held over to the rate websocket:connected sets", () => {
  // Vonage's WebSocket page: binary messages are 20 ms frames at the connection's content-type
  // rate, and `websocket:connected` announces that rate. The bot's audio held back before it
  // (less than a frame) is its speech: it goes on at the new rate, it does not vanish.
  const vonage = new VonageSerializer(); // 16 kHz until told otherwise
  vonage.setup(SETUP_16K);
  const speech = new Int16Array(480).fill(1000); // 30 ms at 16 kHz: one frame out, 10 ms held
  const out = list(vonage.serialize({
    type: "audio",
    audio: new Uint8Array(speech.buffer),
    sampleRate: 16000,
    channels: 1,
  }));
  assert.deepEqual(out.map((m) => (m as Uint8Array).length), [640]);
  vonage.deserialize('{"event":"websocket:connected","content-type":"audio/l16;rate=8000"}');
  const tail = vonage.serialize({ type: "end" });
  assert.ok(tail instanceof Uint8Array, "the held 10 ms did not vanish");
  assert.equal(tail.length, 320, "one 20 ms frame at 8 kHz");
  const samples = new Int16Array(tail.slice().buffer);
  // 10 ms of the held signal at 8 kHz (its level kept: the resampler rings at the step from
  // silence, around the level), then the silence that pads the frame.
  const mean = samples.subarray(0, 80).reduce((sum, s) => sum + s, 0) / 80;
  assert.ok(Math.abs(mean - 1000) < 100, `the first 10 ms average ${mean}, the held level 1000`);
  assert.ok(samples.subarray(80).every((s) => s === 0), "padded with silence");
});

/** Little-endian PCM16 messages → their samples, one after the other. */
function samplesIn(messages: Uint8Array[]): Int16Array {
  const out = new Int16Array(messages.reduce((n, m) => n + m.length / 2, 0));
  let at = 0;
  for (const m of messages) {
    out.set(new Int16Array(m.slice().buffer), at);
    at += m.length / 2;
  }
  return out;
}

const sum = (samples: Int16Array) => samples.reduce((total, s) => total + s, 0);

Deno.test("`VonageSerializer` loses none of the bot's audio its resampler held when websocket:connected changes the rate", () => {
  // Vonage's WebSocket guide (developer.vonage.com/en/voice/voice-api/concepts/websockets):
  // `websocket:connected` is the first message, sent as the handshake completes, with the NCCO
  // endpoint's `content-type` (`audio/l16;rate=8000` or 16000), the rate of the whole connection;
  // no event changes it later. So the rate changes once at most, from the serializer's default or
  // option to what that message says, and the bot's audio may be flowing already: Vonage does not
  // await a start, the transport sends from the socket's opening.
  const vonage = new VonageSerializer(); // 16 kHz until told otherwise
  vonage.setup(SETUP_16K);
  const at24k = (samples: Int16Array) => ({
    type: "audio" as const,
    audio: new Uint8Array(samples.buffer),
    sampleRate: 24000, // a TTS rate: the outbound resampler holds a few samples back
    channels: 1,
  });
  // 30 ms at 24 kHz ending in a click (0.125 ms), the last the bot says before the change.
  const before = new Int16Array(720);
  before.fill(8000, 717);
  const sent = list(vonage.serialize(at24k(before))) as Uint8Array[];
  assert.deepEqual(sent.map((m) => m.length), [640], "20 ms left at 16 kHz, 10 ms held");
  vonage.deserialize('{"event":"websocket:connected","content-type":"audio/l16;rate=8000"}');
  const after = [
    ...list(vonage.serialize(at24k(new Int16Array(960)))), // 40 ms of silence more
    ...list(vonage.serialize({ type: "end" })),
  ] as Uint8Array[];
  assert.ok(after.every((m) => m.length === 320), "20 ms frames at 8 kHz");
  // The click reaches the caller: resampling keeps a signal's area (its sum over time; the
  // filters' gain at 0 Hz is 1), so the output's sums at 16 and 8 kHz, per second, measure how
  // much of it came out. Unflushed, the resampler took the samples it held back (the click) away
  // with it: 3 % came out. Flushed, half does: a stream's output ends with its input (the
  // resampler's exact length), which cuts the half of the click's response that would follow.
  const clickIn = sum(before) / 24000;
  const clickOut = sum(samplesIn(sent)) / 16000 + sum(samplesIn(after)) / 8000;
  assert.ok(
    clickOut > 0.4 * clickIn && clickOut < 1.02 * clickIn,
    `the click's area out ${clickOut.toFixed(3)}, in ${clickIn.toFixed(3)}`,
  );
  // 70 ms in: 20 ms out at 16 kHz, then 50 ms (and the filter's delay) at 8 kHz in 20 ms frames,
  // the last padded.
  assert.equal(after.length, 3);
});

Deno.test("`VonageSerializer` delivers the caller's audio its resampler held when websocket:connected changes the rate", () => {
  // Vonage sends no audio before `websocket:connected` (see above), but a relay or a second
  // connected message may: whatever came at the old rate reaches the bot whole.
  const vonage = new VonageSerializer(); // 16 kHz until told otherwise
  vonage.setup({ ...SETUP_16K, inputSampleRate: 24000 });
  const heard = (frames: Frame[]) =>
    frames.filter((f): f is AudioFrame => f.type === "audio")
      .reduce((n, f) => n + f.audio.length / 2, 0);
  const caller = new Int16Array(320).fill(1000); // 20 ms at 16 kHz: 480 samples at 24 kHz
  const first = list(vonage.deserialize(new Uint8Array(caller.buffer)));
  assert.ok(heard(first) < 480, "the filter holds a few samples back");
  const connected = list(
    vonage.deserialize('{"event":"websocket:connected","content-type":"audio/l16;rate=8000"}'),
  );
  assert.equal(heard(first) + heard(connected), 480, "20 ms in, 20 ms to the bot");
  assert.deepEqual(connected.at(-1), { type: "start" }, "after the audio heard before it");
  assert.equal(vonage.sampleRate, 8000);
});

Deno.test("`VonageSerializer` sends whole frames carried over a rate change before a playout mark's notify", () => {
  // Nearly a frame held at 16 kHz, plus what the resampler held after it, makes more than a
  // frame at 8 kHz: the whole one has played before the mark's point, so it goes first.
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  const speech = new Int16Array(958).fill(1000); // 24 kHz: 639 samples at 16 kHz, 319 held
  const sent = list(vonage.serialize({
    type: "audio",
    audio: new Uint8Array(speech.buffer),
    sampleRate: 24000,
    channels: 1,
  }));
  assert.deepEqual(sent.map((m) => (m as Uint8Array).length), [640]);
  vonage.deserialize('{"event":"websocket:connected","content-type":"audio/l16;rate=8000"}');
  const mark = list(vonage.serialize({ type: "mark", name: "__wst:1" }));
  assert.equal(mark.length, 2);
  assert.equal((mark[0] as Uint8Array).length, 320);
  assert.equal(mark[1], '{"action":"notify","payload":{"mark":"__wst:1"}}');
  // The two whole frames hold all the bot wrote (958 samples at 24 kHz, 39.92 ms: 20 ms at
  // 16 kHz, 20 ms at 8 kHz). The sample left is what the change carried beyond it (the old
  // resampler's end, its stream begun with as much silence): nothing of the bot's audio to pad
  // to a frame of its own, as at a stretch's end (vonage_rate_change_tail_test.ts).
  assert.equal(vonage.serialize({ type: "end" }), null);
});

Deno.test("`VonageSerializer` keeps the last 64 marks Vonage never notifies, forgetting the oldest", () => {
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  const n = 5000;
  for (let i = 0; i < n; i++) vonage.serialize({ type: "mark", name: `m${i}` });
  const notify = (name: string) =>
    vonage.deserialize(JSON.stringify({ event: "websocket:notify", payload: { mark: name } }));
  // Forgotten: its late notify is one we are not waiting for, as any other.
  for (const name of ["m0", `m${n - 65}`]) {
    assert.deepEqual(notify(name), {
      type: "message",
      message: { event: "websocket:notify", payload: { mark: name } },
    });
  }
  for (const name of [`m${n - 64}`, `m${n - 1}`]) {
    assert.deepEqual(notify(name), { type: "mark", name });
  }
});

/**
 * A Vonage call at 16 kHz through a transport on `clock`; `connect` sends Vonage's first message
 * (Voice API, WebSockets: `websocket:connected` with the stream's content type).
 */
function vonageOverTransport(clock: FakeClock) {
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new VonageSerializer({ sampleRate: 16000 }),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const connected = { event: "websocket:connected", "content-type": "audio/l16;rate=16000" };
  return { pair, transport, connect: () => pair.client.send(JSON.stringify(connected)) };
}

Deno.test("`VonageSerializer` counts and reports the bot's marks a far end that never notifies makes it give up", async () => {
  // Vonage's WebSocket guide: a `notify` action is answered with a `websocket:notify` event once
  // the audio sent before it has played. This far end never answers: past the 64 marks awaited,
  // each bot's mark given up never comes back, so it must reach `stats`, not vanish.
  const clock = new FakeClock();
  const { pair, transport, connect } = vonageOverTransport(clock);
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  connect();
  await clock.tick(0);
  for (let i = 0; i < 70; i++) transport.send({ type: "mark", name: `m${i}` });
  await clock.tick(100);
  assert.equal(transport.stats.encodeErrors, 6);
  assert.deepEqual(errors.map((e) => [e.code, /"m0".*encodeErrors/.test(e.message)]), [
    ["protocol", true],
  ]);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`VonageSerializer` counts the bot's marks given up when no clear is ever answered", () => {
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  const { context, counted, reported } = recordingContext();
  vonage.bind(context);
  for (let i = 0; i < 100; i++) {
    vonage.serialize({ type: "mark", name: `m${i}` });
    vonage.serialize({ type: "mark", name: `${PLAYOUT_MARK_PREFIX}${i}` });
    vonage.serialize({ type: "interruption" }); // a clear no `websocket:cleared` answers
  }
  // 200 marks held for the clears, 64 kept: of the 136 given up, the bot's 68.
  assert.equal(counted.encodeErrors, 68);
  assert.deepEqual(reported.map((e) => [e.code, /cleared.*"m0"/.test(e.message)]), [
    ["protocol", true],
  ]);
});

Deno.test("`VonageSerializer`: a notify of the transport's own mark, twice or never sent, never reaches the bot", async () => {
  const clock = new FakeClock();
  const { pair, transport, connect } = vonageOverTransport(clock);
  const inbound: Frame[] = [];
  transport.receive((frame) => void (frame.type !== "audio" && inbound.push(frame)));
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data !== "string") return;
    const command = JSON.parse(data);
    if (command.action !== "notify") return;
    // Vonage's notify answer (Voice API, WebSockets: "websocket:notify"), here sent twice.
    const notify = JSON.stringify({ event: "websocket:notify", payload: command.payload });
    pair.client.send(notify);
    pair.client.send(notify);
  });
  connect();
  await clock.tick(0);
  transport.send({
    type: "audio",
    audio: new Uint8Array(1000 * 32),
    sampleRate: 16000,
    channels: 1,
    responseId: "r1",
  });
  await clock.tick(2000);
  const forged = { event: "websocket:notify", payload: { mark: `${PLAYOUT_MARK_PREFIX}999` } };
  pair.client.send(JSON.stringify(forged));
  await clock.tick(100);
  assert.ok(transport.stats.marksAcknowledged > 0);
  pair.client.close(1000);
  await transport.closed;
  assert.deepEqual(inbound.filter((f) => JSON.stringify(f).includes(PLAYOUT_MARK_PREFIX)), []);
});

Deno.test("`VonageSerializer` hands on the caller's last samples the resampler held back when the socket closes", () => {
  // Vonage's WebSocket guides (developer.vonage.com/en/voice/voice-api/concepts/websockets and
  // guides/websockets): the caller's audio comes in binary messages and the text events are
  // `websocket:connected`, `:dtmf`, `:notify` and `:cleared`; none ends the stream, the socket's
  // close does.
  const vonage = new VonageSerializer({ sampleRate: 8000 });
  vonage.setup(SETUP_16K); // 8 kHz in, resampled to 16 kHz
  const frames = [
    ...list(vonage.deserialize(new Uint8Array(320).fill(0x11))),
    ...list(vonage.finish()),
  ] as AudioFrame[];
  const samples = frames.reduce((sum, frame) => sum + frame.audio.length / 2, 0);
  assert.equal(samples, 320, "20 ms at 8 kHz is 20 ms at 16 kHz, every sample of it");
  assert.equal(vonage.finish(), null, "nothing more held");
});
