// The talk-spurt detector behind the report's every time (who spoke when, each answer's latency)
// took a DC offset for sound and one loud block for speech:
// - a bot whose "silence" is zero bytes read as talking throughout: μ-law's byte 0x00 decodes to
//   -32124 (ITU-T G.711 table 2a: the most negative code), A-law's to -5504 (table 1a), a level
//   of -0.2 and -15.5 dBFS where true silence (0xff, 0xd5) decodes to 0 and ±8. A DC offset is no
//   sound: the telephone network passes none, and no one hears it;
// - one 10 ms block of a click or pop was an utterance, or a bot's answer.
// Now a block's level is its RMS about its own mean, and a stretch of sound (its pauses shorter
// than the hangover) must sound for 20 ms without a break somewhere to be a spurt. The level with
// the offset taken out is SoX's, as independent oracle: a 440 Hz sine 41 dB under full scale on a
// DC offset of -0.2 (`sox -n -r 8000 -b 16 t.wav synth 1 sine 440 vol -41dB dcshift -0.2`)
// measures "RMS lev dB -13.98" with its offset and -44.00 without it (`sox t.wav -n highpass 20
// trim 0.5 stats`: "DC offset -0.000003", "RMS lev dB -44.00"): speech against the default -45
// dBFS; at `vol -43dB`, -45.99: not speech, whatever the offset. Speech from espeak-ng
// (tests/streams/fixtures/README.md) is cut at the same times as before, to the block.
import assert from "node:assert/strict";
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from "../../src/audio/g711.ts";
import { TalkSpurtDetector } from "../../src/simulator/_talk_spurts.ts";
import { readWav } from "../../src/simulator/_wav_file.ts";
import { concatSamples } from "../audio/_test_signals.ts";

/** `parts` one after another. */
const joinedOf = (...parts: Int16Array[]): Int16Array => concatSamples(parts);

const RATE = 8000;

const detector = (hangoverMs = 250) =>
  new TalkSpurtDetector({ sampleRate: RATE, thresholdDbfs: -45, hangoverMs, originMs: 0 });

/** `ms` of a 440 Hz sine whose peak is `peakDb` below full scale, on `dc` (of full scale). */
function sine(ms: number, peakDb: number, dc = 0): Int16Array {
  const amplitude = 32767 * 10 ** (peakDb / 20);
  const samples = new Int16Array((RATE * ms) / 1000);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / RATE) + dc * 32768);
  }
  return samples;
}

function spurtsOf(samples: Int16Array, hangoverMs = 250) {
  const d = detector(hangoverMs);
  d.push(samples);
  d.finish();
  return { spurts: d.spurts, audibleMs: d.audibleMs(0, (samples.length * 1000) / RATE) };
}

Deno.test("a bot's silence of zero bytes, μ-law or A-law, is no sound", () => {
  const zeros = new Uint8Array(RATE * 2); // 2 s
  const laws: [string, Int16Array, number][] = [
    ["μ-law", mulawDecode(zeros), -32124], // G.711 table 2a
    ["A-law", alawDecode(zeros), -5504], // G.711 table 1a
  ];
  for (const [law, decoded, level] of laws) {
    assert.equal(decoded[0], level, law);
    assert.deepEqual(spurtsOf(decoded), { spurts: [], audibleMs: 0 }, law);
  }
});

Deno.test("a sine on a DC offset is speech by its level without the offset, as SoX measures it", () => {
  for (const [peakDb, spurts] of [[-41, [{ startMs: 500, endMs: 1500 }]], [-43, []]] as const) {
    const samples = joinedOf(
      sine(500, -200, -0.2),
      sine(1000, peakDb, -0.2),
      sine(500, -200, -0.2),
    );
    assert.deepEqual(spurtsOf(samples).spurts, spurts, `peak ${peakDb} dB on -0.2 DC`);
  }
});

Deno.test("speech between zero bytes of μ-law or A-law is cut where it is, to the block", () => {
  const sure = readWav(
    Deno.readFileSync(new URL("../streams/fixtures/sure_8k.wav", import.meta.url)),
  );
  // Alone: its sound from 10 to 330 ms.
  assert.deepEqual(spurtsOf(sure.samples).spurts, [{ startMs: 10, endMs: 330 }]);
  for (const [encode, decode] of [[mulawEncode, mulawDecode], [alawEncode, alawDecode]] as const) {
    const zeros = new Uint8Array(RATE / 2); // 500 ms
    const bytes = new Uint8Array(2 * zeros.length + sure.samples.length);
    bytes.set(encode(sure.samples), zeros.length);
    const [spurt, ...more] = spurtsOf(decode(bytes)).spurts;
    assert.equal(more.length, 0, encode.name);
    // The steps into and out of the offset sound in the block they fall in, at most.
    assert.ok(Math.abs(spurt!.startMs - 510) <= 10, `${encode.name}: from ${spurt!.startMs}`);
    assert.ok(Math.abs(spurt!.endMs - 830) <= 10, `${encode.name}: to ${spurt!.endMs}`);
  }
});

Deno.test("a click of one block is no spurt, nor audible; 20 ms of sound is one", () => {
  const quiet = (ms: number) => new Int16Array((RATE * ms) / 1000);
  // A block of full scale, alone, or a second one 30 ms after it: no 20 ms of sound in a row.
  for (
    const click of [
      joinedOf(quiet(100), sine(10, 0), quiet(500)),
      joinedOf(quiet(100), sine(10, 0), quiet(30), sine(10, 0), quiet(500)),
    ]
  ) {
    assert.deepEqual(spurtsOf(click), { spurts: [], audibleMs: 0 });
  }
  // One packet of a bot's, 20 ms.
  assert.deepEqual(spurtsOf(joinedOf(quiet(100), sine(20, -20), quiet(500))), {
    spurts: [{ startMs: 100, endMs: 120 }],
    audibleMs: 20,
  });
  // A click within a spurt's hangover is part of it, as any sound is.
  assert.deepEqual(spurtsOf(joinedOf(sine(100, -20), quiet(100), sine(10, 0), quiet(500))).spurts, [
    { startMs: 0, endMs: 210 },
  ]);
});

Deno.test("espeak-ng speech is cut at the same times as before the offset and click rules", () => {
  // The times the detector gave before (block level about zero, any loud block a spurt).
  const before: Record<string, { startMs: number; endMs: number }[]> = {
    "speech_8k.wav": [{ startMs: 0, endMs: 1150 }, { startMs: 1840, endMs: 3000 }],
    "caller_stop_8k.wav": [{ startMs: 10, endMs: 830 }, { startMs: 1190, endMs: 2680 }],
    "excuse_me_question_8k.wav": [{ startMs: 0, endMs: 1620 }],
    "word_gaps_8k.wav": [{ startMs: 70, endMs: 3310 }],
    "bot_answer_8k.wav": [{ startMs: 0, endMs: 4010 }],
    "sure_8k.wav": [{ startMs: 10, endMs: 330 }],
  };
  for (const [name, spurts] of Object.entries(before)) {
    const wav = readWav(Deno.readFileSync(new URL(`../streams/fixtures/${name}`, import.meta.url)));
    assert.equal(wav.sampleRate, RATE);
    assert.deepEqual(spurtsOf(wav.samples).spurts, spurts, name);
  }
});
