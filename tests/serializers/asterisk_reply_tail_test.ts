// Asterisk's WebSocket channel at the end of a resampled reply. Asterisk's documentation
// (docs.asterisk.org, Configuration → Channel Drivers → WebSocket, media): the channel takes
// binary media frames of the negotiated format, `optimal_frame_size` bytes each, as MEDIA_START
// says (20 ms: 640 bytes of slin16, 480 of slin12, 160 of G.722), and plays them in order. The
// resampler's stream begins with its filter's delay as silence, so what it still holds at a
// reply's end is beyond the reply's length: it ends the reply's partial last frame, as far as
// that frame has room, and never makes a frame of its own (20 ms, nearly all padding).
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { TelephonyAudio } from "../../src/serializers/telephony/telephony_audio.ts";
import { G722Encoder } from "../../src/audio/g722.ts";
import { pcm16Samples } from "../../src/audio/pcm.ts";
import type { AudioFrame } from "../../src/frames.ts";
import type { SerializedMessage } from "../../src/serializer.ts";
import { SETUP_16K } from "./fixtures/filled_pcm_16k.ts";
import { mediaStart } from "./fixtures/asterisk_channel_playout.ts";

const LEVEL = 6000;

/** `samples` at `rate` held at one level: never silence, after resampling too. */
function speech(samples: number, rate: number): AudioFrame {
  const pcm = new Int16Array(samples).fill(LEVEL);
  return { type: "audio", audio: new Uint8Array(pcm.buffer), sampleRate: rate, channels: 1 };
}

/** The media bytes of an answer, in order (commands left out). */
function mediaBytes(out: SerializedMessage | SerializedMessage[] | null): Uint8Array {
  const list = Array.isArray(out) ? out : out === null ? [] : [out];
  const media = list.filter((m): m is Uint8Array => m instanceof Uint8Array);
  const bytes = new Uint8Array(media.reduce((sum, m) => sum + m.length, 0));
  let at = 0;
  for (const m of media) bytes.set(m, (at += m.length) - m.length);
  return bytes;
}

/** A channel in `format` with `frameBytes` frames. */
function channel(format: string, frameBytes: number): AsteriskSerializer {
  const asterisk = new AsteriskSerializer({ marks: "mark-media" });
  asterisk.setup(SETUP_16K);
  asterisk.deserialize(mediaStart({ format, frameBytes }));
  return asterisk;
}

Deno.test("Asterisk slin16: an 800 ms reply at 24 kHz is 40 whole frames, and its end adds none", () => {
  const asterisk = channel("slin16", 640);
  assert.equal(mediaBytes(asterisk.serialize(speech(19200, 24000))).length, 40 * 640);
  assert.equal(asterisk.audioEnds(true), null, "no 41st frame of padding");
});

Deno.test("Asterisk slin12: a 16 kHz reply's 3 ms held end fills its partial frame, the rest dropped", () => {
  const asterisk = channel("slin12", 480);
  // 3504 samples at 16 kHz: 2628 at 12 kHz, 10 frames of 240 and 228 held, room for 12 more of
  // the 36 the filter holds back.
  assert.equal(mediaBytes(asterisk.serialize(speech(3504, 16000))).length, 10 * 480);
  const end = mediaBytes(asterisk.audioEnds(true));
  assert.equal(end.length, 480, "one frame, not two");
  assert.ok(pcm16Samples(end).every((s) => s !== 0), "speech to the frame's end");
});

Deno.test("Asterisk G.722: a reply's held end goes as far as its partial frame has room, coded in step with what was sent", () => {
  const asterisk = channel("g722", 160);
  // The same audio at G.722's 16 kHz, as our encoder is fed it: the reference.
  const pcm = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 16000 });
  const reference = new G722Encoder();
  // 2399 samples at 24 kHz: 1599 at 16 kHz, 799 bytes and a sample waiting for its pair: 4
  // frames and 159 bytes held, room for one byte: the waiting sample and one of the 2 held back.
  const reply = speech(2399, 24000);
  const sent = mediaBytes(asterisk.serialize(reply));
  assert.equal(sent.length, 4 * 160);
  const end = mediaBytes(asterisk.audioEnds(true));
  assert.equal(end.length, 160, "one frame, not two");
  const resampled = pcm16Samples(pcm.encode(reply)!).slice();
  const tail = pcm16Samples(pcm.endOutbound(true)!).slice();
  assert.equal(tail.length, 2);
  const expected = [...reference.encode(resampled), ...reference.encode(tail.subarray(0, 1))];
  assert.deepEqual([...sent, ...end.subarray(0, 160)], expected);
  // The next reply: coded from the state the far end's decoder reached with the bytes it got
  // (the frame ended on the tail, no padding), not from one that coded a byte never sent.
  const next = speech(480, 24000);
  const nextSent = mediaBytes(asterisk.serialize(next));
  assert.deepEqual([...nextSent], [...reference.encode(pcm16Samples(pcm.encode(next)!))]);
});

Deno.test("`TelephonyAudio.endOutbound` hands over no more of the held end than fits the room given", () => {
  for (
    const [encoding, room, expected] of [["pcm16le", 2, 2], ["mulaw", 1, 1], [
      "pcm16le",
      0,
      0,
    ]] as const
  ) {
    const audio = new TelephonyAudio({ encoding, sampleRate: 8000 });
    audio.encode(speech(480, 24000));
    const tail = audio.endOutbound(true, room);
    assert.equal(tail?.length ?? 0, expected, `${encoding} in ${room} bytes`);
    // Either way a new stream begins: the next audio starts from silence, none of this one's end.
    // (Its length alone cannot tell: a stream carried on owes as much as a new one.)
    const next = audio.encode(speech(480, 24000))!;
    assert.equal(next.length, encoding === "mulaw" ? 160 : 320);
    // The filter's delay at 8 kHz is 2 samples (0.25 ms): silence in the wire's encoding.
    const [silence, delayBytes] = encoding === "mulaw" ? [0xff, 2] : [0, 4];
    assert.deepEqual(
      [...next.subarray(0, delayBytes)],
      new Array(delayBytes).fill(silence),
      `${encoding} in ${room} bytes: the next stream's delay, not this one's held end`,
    );
    assert.ok(next.subarray(delayBytes).some((b) => b !== silence), "then the next speech");
  }
});
