// How much audio the streaming resampler holds back at every moment, as the README states it: the
// `@x/ws-transport/audio` row of "Telephony and pipecat clients" ("at 8 kHz … 0.25–0.7 ms held
// back") and Limits, "A reply's last samples" (24 kHz to 8 kHz 0.25 ms, to 16 kHz 0.13 ms, and the
// range over every pair). Measured as the output a second of input still owes after `process()`:
// what `flush()` (a stretch of speech's end, `FrameSerializer.audioEnds`) has left to hand on.
import assert from "node:assert/strict";
import { Resampler } from "../../src/audio/mod.ts";
import { TelephonyAudio } from "../../src/serializers/telephony/telephony_audio.ts";

const RATES = [8000, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 96000, 192000];

/** Ms of output a second of input at `from` (`to` frames in all) still owes after `process()`. */
function heldBackMs(from: number, to: number): number {
  const resampler = new Resampler({ inputRate: from, outputRate: to });
  const out = resampler.process(new Int16Array(from)).length;
  return ((to - out) / to) * 1000;
}

const PAIRS = RATES.flatMap((from) => RATES.filter((to) => to !== from).map((to) => [from, to]));

Deno.test("README: 24 kHz speech holds back 0.25 ms to 8 kHz and 0.13 ms to 16 kHz", () => {
  assert.equal(heldBackMs(24000, 8000), 0.25);
  assert.equal(heldBackMs(24000, 16000), 0.125);
});

Deno.test("README audio row: every pair with 8 kHz holds back 0.25–0.7 ms", () => {
  for (const [from, to] of PAIRS.filter(([a, b]) => a === 8000 || b === 8000)) {
    const ms = heldBackMs(from!, to!);
    assert.ok(ms >= 0.25 && ms <= 0.7, `${from} → ${to}: ${ms} ms`);
  }
});

Deno.test("README Limits: over every pair the resampler holds back 0.02–3 ms, the most 16 → 12 kHz", () => {
  const held = PAIRS.map(([from, to]) => ({ from, to, ms: heldBackMs(from!, to!) }));
  const least = Math.min(...held.map((h) => h.ms));
  const most = held.reduce((a, b) => (b.ms > a.ms ? b : a));
  assert.ok(least >= 0.02 && least < 0.03, `least ${least} ms`);
  // The polyphase FIR alone, half its 72 taps at the lower rate: 36 samples of 12 kHz. Asterisk's
  // `slin12` makes this an outbound pair (a bot writing 16 kHz), so the README's range must reach it.
  assert.deepEqual(most, { from: 16000, to: 12000, ms: 3 });
});

Deno.test("README Limits: a 16 kHz reply to Asterisk's slin12 owes 3 ms at its end (`TelephonyAudio.flushOutbound`)", () => {
  const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 12000 });
  const reply = new Int16Array(3200).fill(1000); // 200 ms at 16 kHz
  const bytes = new Uint8Array(reply.buffer);
  const sent = audio.encode({ type: "audio", audio: bytes, sampleRate: 16000, channels: 1 });
  assert.equal(sent!.length / 2, 2400, "200 ms at 12 kHz: the filter's delay as silence first");
  assert.equal(audio.flushOutbound()!.length / 2, 36, "36 samples at 12 kHz: 3 ms");
});
