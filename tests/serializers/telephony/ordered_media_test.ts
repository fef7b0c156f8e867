import assert from "node:assert/strict";
import { OrderedMedia, TelephonyAudio } from "../../../src/serializers/telephony/mod.ts";
import { TransportError } from "../../../src/errors.ts";
import type { Frame } from "../../../src/frames.ts";
import { boundStage, globexAudio } from "./_ordered_media_stage.ts";

const SILENCE_20MS = btoa(String.fromCharCode(...new Uint8Array(160).fill(0xff)));

function media() {
  const audio = globexAudio();
  return new OrderedMedia({ audio, provider: "Globex" });
}

Deno.test("`OrderedMedia` names its provider in every decode error, the reorder stage's too", () => {
  const ordered = media();
  ordered.push({ sequence: 1, payload: SILENCE_20MS });
  for (
    const [message, pattern] of [
      [
        { sequence: 9007199254740993, payload: SILENCE_20MS },
        /^Globex: media sequence must be a safe number/,
      ],
      [{ sequence: 2.5, payload: SILENCE_20MS }, /^Globex: media sequence must be an integer/],
      [{ sequence: 3, payload: "%%%" }, /^Globex: media payload is not base64/],
    ] as const
  ) {
    assert.throws(
      () => ordered.push(message),
      (e) => e instanceof TransportError && e.code === "decode" && pattern.test(e.message),
    );
  }
  // The packets around the bad ones still come through.
  assert.equal(ordered.push({ sequence: 2, payload: SILENCE_20MS }).length, 1);
});

/** A stage whose counts land in `counts` and whose reports land in `reported`. */
function bound(encoding: "mulaw" | "pcm16le" = "mulaw", orderBy?: "timestamp") {
  return boundStage(orderBy ? { orderBy } : {}, encoding);
}

const ms = (frame: Frame) => frame.type === "audio" ? frame.audio.length / 16 : NaN; // 8 kHz PCM16

Deno.test("`OrderedMedia.reset` delivers what is held behind a hole (the hole filled and counted) before the new stream", () => {
  const { ordered, counts } = bound();
  ordered.push({ sequence: 1, payload: SILENCE_20MS });
  assert.equal(ordered.push({ sequence: 3, payload: SILENCE_20MS }).length, 0); // behind hole 2
  const held = ordered.reset();
  // The silence counted is the silence delivered: 20 ms for packet 2, then packet 3.
  assert.deepEqual(held.map((f) => [f.timestampMs, ms(f)]), [[20, 20], [40, 20]]);
  assert.equal(counts.inboundMediaGapsFilled, 1);
  assert.equal(counts.inboundMediaGapMs, 20);
  // The new stream counts from its own first packet, and nothing was dropped.
  const next = ordered.push({ sequence: 1, payload: SILENCE_20MS });
  assert.deepEqual(next.map((f) => f.timestampMs), [0]);
  assert.equal((counts.inboundMediaLate ?? 0) + (counts.inboundMediaDuplicates ?? 0), 0);
});

Deno.test("`OrderedMedia.restart` returns the old stream's held audio, then the start frame; a bad start is reported, not thrown, while audio came out", () => {
  const { ordered, reported, counts } = bound();
  const start: Frame = { type: "start", streamId: "s2" };
  ordered.push({ sequence: 1, payload: SILENCE_20MS });
  ordered.push({ sequence: 3, payload: SILENCE_20MS });
  const frames = ordered.restart(() => start);
  assert.ok(Array.isArray(frames));
  assert.deepEqual(frames.map((f) => f.type), ["audio", "audio", "start"]);
  // Nothing held: the start frame alone, and its decode error thrown as before.
  assert.equal(ordered.restart(() => start), start);
  const bad = new TransportError("decode", "Globex: start is not an object");
  assert.throws(() =>
    ordered.restart(() => {
      throw bad;
    }), (e) => e === bad);
  // Held audio and a bad start: the audio comes out, the error is reported and counted.
  ordered.push({ sequence: 1, payload: SILENCE_20MS });
  ordered.push({ sequence: 3, payload: SILENCE_20MS });
  const out = ordered.restart(() => {
    throw bad;
  });
  assert.ok(Array.isArray(out));
  assert.deepEqual(out.map((f) => f.type), ["audio", "audio"]);
  assert.deepEqual(reported, [bad]);
  assert.equal(counts.decodeErrors, 1);
});

Deno.test("`OrderedMedia.reset` hands on the caller's samples the inbound resampler holds back", () => {
  // 8 kHz in, 16 kHz to the bot: over a whole stream the resampler gives exactly twice the
  // samples (its promise, with its flush). A new stream's start may change the rate, which drops
  // what the resampler holds back: the end of the caller's audio, handed on first.
  const audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000, provider: "Globex" });
  audio.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  const ordered = new OrderedMedia({ audio, provider: "Globex" });
  const samples = (frames: Frame[]) =>
    frames.reduce((n, f) => n + (f.type === "audio" ? f.audio.length / 2 : 0), 0);
  let heard = 0;
  for (let sequence = 1; sequence <= 10; sequence++) {
    heard += samples(
      ordered.push({ sequence, timestampMs: (sequence - 1) * 20, payload: SILENCE_20MS }),
    );
  }
  const tail = ordered.reset();
  assert.equal(heard + samples(tail), 3200, "200 ms at 16 kHz");
  // Timed where the stream's media ends.
  assert.deepEqual(tail.map((f) => f.timestampMs), [200]);
});

Deno.test("`OrderedMedia` refuses an odd-length PCM16 packet at push: the good packets around it come out", () => {
  const { ordered } = bound("pcm16le");
  const pcm = (bytes: number) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
  assert.equal(ordered.push({ sequence: 1, payload: pcm(320) }).length, 1);
  assert.throws(
    () => ordered.push({ sequence: 3, payload: pcm(321) }),
    (e) =>
      e instanceof TransportError && e.code === "decode" &&
      /^Globex: PCM16 media payload has an odd length of 321 bytes/.test(e.message),
  );
  // Packet 2 fills no hole (3 never entered the stage): it comes out at once, and so does 4.
  assert.deepEqual(ordered.push({ sequence: 2, payload: pcm(320) }).map((f) => f.timestampMs), [
    20,
  ]);
  assert.deepEqual(ordered.push({ sequence: 4, payload: pcm(320) }).length, 0); // 3 is a hole now
  assert.deepEqual(ordered.flush().map((f) => [f.timestampMs, ms(f)]), [[40, 20], [60, 20]]);
  // Unnumbered media is checked the same way.
  assert.throws(() => ordered.push({ payload: pcm(3) }), /odd length of 3 bytes/);
});

Deno.test("`OrderedMedia` fills a gap of a fraction of a sample with whole PCM16 samples", () => {
  const { ordered, counts } = bound("pcm16le", "timestamp");
  const pcm20 = btoa(String.fromCharCode(...new Uint8Array(320)));
  ordered.push({ timestampMs: 0, payload: pcm20 });
  // 20.03125 ms missing: 320.5 bytes, which rounded to bytes is an odd length PCM16 cannot decode.
  assert.equal(ordered.push({ timestampMs: 40.03125, payload: pcm20 }).length, 0);
  const frames = ordered.flush();
  assert.deepEqual(frames.map((f) => f.timestampMs), [20, 40.03125]);
  assert.equal(counts.inboundMediaGapsFilled, 1);
});

Deno.test("`OrderedMedia` fills a long gap with frames of whole missing packets, not one frame of it all", () => {
  const { ordered, counts } = bound();
  ordered.push({ sequence: 1, payload: SILENCE_20MS });
  // Packets 2–251 never come (5 s, the longest gap filled): a reader's queue counts frames, so
  // one frame of the whole gap would hold 250 packets' worth in one place; frames of 100 ms (five
  // packets each) at most keep a burst from one message within a small queue.
  const frames = [];
  for (let sequence = 252; sequence < 260; sequence++) {
    frames.push(...ordered.push({ sequence, payload: SILENCE_20MS }));
  }
  frames.push(...ordered.flush());
  const filled = frames.slice(0, 50);
  assert.equal(counts.inboundMediaGapsFilled, 1);
  assert.equal(counts.inboundMediaGapMs, 250 * 20);
  assert.deepEqual(new Set(filled.map(ms)), new Set([100]));
  assert.deepEqual(filled.map((f) => f.timestampMs), filled.map((_, i) => 20 + 100 * i));
  // Then the packets that came, on their own times.
  assert.deepEqual(
    frames.slice(50).map((f) => f.timestampMs),
    [...Array(8).keys()].map((i) => 5020 + 20 * i),
  );
});

Deno.test("`OrderedMedia` cuts a gap measured by time into frames of whole samples that add up to it", () => {
  const { ordered } = bound("pcm16le", "timestamp");
  const pcm20 = btoa(String.fromCharCode(...new Uint8Array(320)));
  ordered.push({ timestampMs: 0, payload: pcm20 });
  // 250.0625 ms missing (2000.5 samples) after 20 ms packets: three frames of whole samples.
  assert.equal(ordered.push({ timestampMs: 270.0625, payload: pcm20 }).length, 0);
  // A packet right after it confirms the jump (a lone one is dropped at a flush, unconfirmed).
  const frames = ordered.push({ timestampMs: 290.0625, payload: pcm20 });
  assert.equal(frames.at(-1)!.timestampMs, 290.0625);
  frames.pop();
  const gap = frames.slice(0, -1);
  assert.equal(gap.length, 3); // 12.5 packets, in no more frames than one per 100 ms
  for (const f of gap) assert.equal((f as { audio: Uint8Array }).audio.length % 2, 0);
  const samples = gap.reduce((n, f) => n + (f as { audio: Uint8Array }).audio.length / 2, 0);
  assert.equal(samples, Math.round(250.0625 * 8)); // 2001: whole samples, the gap's own
  assert.equal(frames.at(-1)!.timestampMs, 270.0625);
  assert.equal(gap[0]!.timestampMs, 20);
});

Deno.test("`OrderedMedia`: a first media message the reorder stage refuses does not become the origin of media times", () => {
  const { ordered, counts } = bound();
  // Refused (a malformed number): it must change nothing, its media time included.
  assert.throws(
    () => ordered.push({ sequence: 2.5, timestampMs: 1000, payload: SILENCE_20MS }),
    (e) => e instanceof TransportError && e.code === "decode",
  );
  // The first one taken is the origin: times count from 5000, not from the refused 1000.
  const at = (sequence: number, timestampMs: number) =>
    ordered.push({ sequence, timestampMs, payload: SILENCE_20MS }).map((f) => f.timestampMs);
  assert.deepEqual(at(1, 5000), [0]);
  assert.deepEqual(at(2, 5020), [20]);
  assert.deepEqual(at(2, 9000), [], "a duplicate is dropped");
  assert.equal(counts.inboundMediaDuplicates, 1);
  assert.deepEqual(at(3, 5040), [40], "and it moved nothing either");
});
