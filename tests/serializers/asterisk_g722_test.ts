// Asterisk chan_websocket on a G.722 channel (`Dial(WebSocket/<client>/c(g722))`). From
// asterisk/asterisk (f0c1c1a7): main/codec_builtin.c registers `g722` with `sample_rate` 16000,
// `minimum_ms` 10, `minimum_bytes` 80, `default_ms` 20; main/format_cache.c names its format
// "g722"; channels/chan_websocket.c sets `optimal_frame_size` = default_ms × minimum_bytes /
// minimum_ms = 160 bytes (no passthrough: minimum_bytes is over 10), and MEDIA_START says
// `format:g722 optimal_frame_size:160 ptime:20` (`_create_event_MEDIA_START`: the format's name and
// the codec's default_ms). docs.asterisk.org, Configuration → Channel Drivers → WebSocket, "Media
// Transfer": media in whole `optimal_frame_size` frames, the rest of a message dropped outside a
// bulk transfer. The bytes are the codec's own, as an RTP payload carries them (RFC 3551 §4.5.2):
// the package's G.722 codec, checked against ffmpeg in tests/audio/g722_test.ts, is the far end.
import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import type { SerializedMessage } from "../../src/serializer.ts";
import { G722Decoder, G722Encoder } from "../../src/audio/g722.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { mediaStart } from "./fixtures/asterisk_channel_playout.ts";
import { recordingContext } from "./fixtures/recording_context.ts";
import { tone } from "./fixtures/telephony_harness.ts";

/** The transport at G.722's own rate both ways: no resampling, so bytes compare exactly. */
const WIDEBAND = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};

const list = <T>(result: T | T[] | null): T[] =>
  result === null ? [] : Array.isArray(result) ? result : [result];
const media = (out: SerializedMessage[]) =>
  out.filter((m): m is Uint8Array => m instanceof Uint8Array);
const joined = (parts: Uint8Array[]) => {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) all.set(part, (at += part.length) - part.length);
  return all;
};
const audio = (samples: Int16Array): Frame => ({
  type: "audio",
  audio: new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength),
  sampleRate: 16000,
  channels: 1,
});

function g722Channel(): AsteriskSerializer {
  const asterisk = new AsteriskSerializer();
  asterisk.setup(WIDEBAND);
  asterisk.deserialize(mediaStart({ format: "g722", frameBytes: 160 }));
  return asterisk;
}

Deno.test("`AsteriskSerializer` takes a g722 channel: MEDIA_START's format, 16 kHz audio in 160-byte frames", () => {
  const asterisk = new AsteriskSerializer();
  asterisk.setup(WIDEBAND);
  const start = asterisk.deserialize(mediaStart({ format: "g722", frameBytes: 160 }));
  assert.deepEqual(list(start).map((f) => f.type), ["start"]);
  assert.equal(asterisk.format.encoding, "g722");
  assert.equal(asterisk.format.sampleRate, 16000, "as Asterisk counts it (codec_builtin.c)");
  // Dialled before MEDIA_START names it: the option, with chan_websocket's 160-byte frame.
  const dialled = new AsteriskSerializer({ format: "g722" });
  dialled.setup(WIDEBAND);
  const out = list(dialled.serialize(audio(new Int16Array(480)))); // 30 ms
  assert.deepEqual(media(out).map((m) => m.length), [160], "one whole 20 ms frame, 10 ms held");
});

Deno.test("`AsteriskSerializer` decodes a g722 channel's frames as the codec does, one state for the call", () => {
  const asterisk = g722Channel();
  const caller = tone(440, 16000, 16000 * 0.2); // 200 ms of the caller
  const wire = new G722Encoder().encode(caller); // what Asterisk sends: 1,600 bytes
  const expected = new G722Decoder().decode(wire);
  const heard: Int16Array[] = [];
  for (let at = 0; at < wire.length; at += 160) {
    for (const frame of list(asterisk.deserialize(wire.slice(at, at + 160)))) {
      const a = frame as AudioFrame;
      assert.equal(a.type, "audio");
      assert.equal(a.sampleRate, 16000);
      heard.push(new Int16Array(a.audio.slice().buffer));
    }
  }
  const samples = new Int16Array(joined(heard.map((h) => new Uint8Array(h.buffer))).buffer);
  assert.equal(samples.length, 3200, "160 bytes are 20 ms: 320 samples at 16 kHz");
  assert.deepEqual(samples, expected);
});

Deno.test("`AsteriskSerializer` encodes the bot's audio for a g722 channel in whole frames, its encoder kept across messages", () => {
  const asterisk = g722Channel();
  const bot = tone(1000, 16000, 16000 * 0.25); // 250 ms, written in 30 ms pieces
  const sent: Uint8Array[] = [];
  for (let at = 0; at < bot.length; at += 480) {
    const out = list(asterisk.serialize(audio(bot.subarray(at, at + 480))));
    for (const m of media(out)) {
      assert.equal(m.length % 160, 0, "whole 160-byte frames only: Asterisk drops the rest");
      sent.push(m.slice());
    }
  }
  const wire = joined(sent);
  assert.equal(wire.length, 1920, "12 whole frames of 250 ms; 10 ms waits for more");
  assert.deepEqual(wire, new G722Encoder().encode(bot).subarray(0, 1920));
});

Deno.test("`AsteriskSerializer` pads a g722 reply's last frame with silence its encoder codes, not a fill byte", () => {
  const asterisk = g722Channel();
  const reply = tone(1000, 16000, 480); // 30 ms: a frame and a half
  const out = [
    ...list(asterisk.serialize(audio(reply))),
    ...list(asterisk.serialize({ type: "mark", name: "done" })),
  ];
  const wire = joined(media(out));
  assert.equal(wire.length, 320);
  // What the far end's decoder, in step with ours, must see: the reply, then zeros coded on
  // from the state the reply left (a G.722 byte's sound depends on those before it).
  const padded = new Int16Array(640);
  padded.set(reply);
  assert.deepEqual(wire, new G722Encoder().encode(padded));
  assert.ok(out.includes("STOP_MEDIA_BUFFERING done"));
});

Deno.test("`AsteriskSerializer` counts a g722 partial frame cut by an interruption as the bot's PCM16 bytes", () => {
  const asterisk = g722Channel();
  const calls = recordingContext();
  asterisk.bind(calls.context);
  asterisk.serialize(audio(new Int16Array(480))); // 20 ms leaves, 10 ms (80 bytes) held
  asterisk.serialize({ type: "interruption" });
  // 80 G.722 bytes are 10 ms (8,000 bytes a second): 160 samples of the bot's 16 kHz PCM16.
  assert.equal(calls.counted.audioBytesInterrupted, 320);
});

Deno.test("`AsteriskSerializer` dialled g722 keeps its encoder through the MEDIA_START that names g722: audio sent before it and after it is one coded stream", () => {
  // With a control format set, nothing waits for MEDIA_START (`awaitsStart`): a greeting may be
  // on its way already. Asterisk decodes what it is sent as one stream, MEDIA_START or not (its
  // decoder is the channel's translator, which chan_websocket.c never resets): our encoder,
  // begun afresh at MEDIA_START, coded the rest from a state the far end's decoder never had.
  const asterisk = new AsteriskSerializer({ format: "g722", controlFormat: "plain-text" });
  asterisk.setup(WIDEBAND);
  const bot = tone(1000, 16000, 16000 * 0.1); // 100 ms
  const sent: Uint8Array[] = [];
  const take = (frame: Frame) => {
    for (const m of media(list(asterisk.serialize(frame)))) sent.push(m.slice());
  };
  take(audio(bot.subarray(0, 480))); // 30 ms: a frame leaves, 10 ms waits
  asterisk.deserialize(mediaStart({ format: "g722", frameBytes: 160 }));
  take(audio(bot.subarray(480)));
  const wire = joined(sent);
  assert.equal(wire.length, 800, "five whole frames");
  assert.deepEqual(wire, new G722Encoder().encode(bot));
});
