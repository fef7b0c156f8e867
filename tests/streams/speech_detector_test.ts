import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type AudioFrame,
  SpeechDetector,
  type SpeechDetectorOptions,
  type SpeechEvent,
} from "../../mod.ts";
import { random } from "./_real_speech.ts";

// --- Synthetic signals ---------------------------------------------------------------------------

const amplitude = (db: number) => 32768 * 10 ** (db / 20);

/** White noise, `frames` frames long, at `db(ms)` dBFS RMS (a constant or a function of time). */
function noise(
  rate: number,
  durationMs: number,
  db: number | ((ms: number) => number),
  seed = 1,
): Float64Array {
  const next = random(seed);
  const out = new Float64Array(Math.round((rate * durationMs) / 1000));
  for (let i = 0; i < out.length; i++) {
    const level = typeof db === "number" ? db : db((i * 1000) / rate);
    out[i] = (next() * 2 - 1) * Math.sqrt(3) * amplitude(level); // uniform: RMS = a / √3
  }
  return out;
}

/** Adds a 440 Hz tone of `db` dBFS RMS from `fromMs` to `toMs` (sample-exact). */
function addTone(signal: Float64Array, rate: number, fromMs: number, toMs: number, db: number) {
  const peak = amplitude(db) * Math.SQRT2;
  const from = Math.ceil((fromMs * rate) / 1000);
  const to = Math.ceil((toMs * rate) / 1000);
  for (let i = from; i < to && i < signal.length; i++) {
    signal[i]! += peak * Math.sin((2 * Math.PI * 440 * i) / rate);
  }
}

/** PCM16 LE bytes, clipped, optionally on `channels` channels with the signal on one of them. */
function pcm(signal: Float64Array, channels = 1, on = 0): Uint8Array {
  const samples = new Int16Array(signal.length * channels);
  for (let i = 0; i < signal.length; i++) {
    samples[i * channels + on] = Math.max(-32768, Math.min(32767, Math.round(signal[i]!)));
  }
  return new Uint8Array(samples.buffer);
}

function detect(
  bytes: Uint8Array,
  options: SpeechDetectorOptions,
  chunkBytes = 320,
): SpeechEvent[] {
  const detector = new SpeechDetector(options);
  const events: SpeechEvent[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    detector.push(bytes.subarray(offset, offset + chunkBytes), (event) => events.push(event));
  }
  detector.flush((event) => events.push(event));
  return events;
}

const times = (events: SpeechEvent[]) => events.map((event) => [event.type, event.atMs] as const);

/** Asserts starts and stops alternate and each lies within `toleranceMs` of the truth. */
function assertWithin(events: SpeechEvent[], truth: [number, number][], toleranceMs: number) {
  assert.equal(events.length, truth.length * 2, JSON.stringify(times(events)));
  truth.forEach(([start, stop], n) => {
    const [begin, end] = [events[2 * n]!, events[2 * n + 1]!];
    assert.equal(begin.type, "speechstart");
    assert.equal(end.type, "speechstop");
    assert.ok(Math.abs(begin.atMs - start) <= toleranceMs, `start ${begin.atMs} vs ${start}`);
    assert.ok(Math.abs(end.atMs - stop) <= toleranceMs, `stop ${end.atMs} vs ${stop}`);
    assert.equal(end.type === "speechstop" && end.durationMs, end.atMs - begin.atMs);
  });
}

// --- Tests ---------------------------------------------------------------------------------------

Deno.test("`SpeechDetector` times tone bursts in noise to within one analysis window", () => {
  const bursts: [number, number][] = [[1003, 1620], [2507.3, 3311], [4100.6, 4420]];
  for (const [rate, windowMs] of [[8000, 10], [16000, 10], [16000, 20], [44100, 10]] as const) {
    const signal = noise(rate, 6000, -55);
    for (const [from, to] of bursts) addTone(signal, rate, from, to, -25);
    const events = detect(pcm(signal), { sampleRate: rate, windowMs });
    assertWithin(events, bursts, windowMs);
  }
});

Deno.test("`SpeechDetector` ignores clicks, pops and a burst shorter than minSpeechMs", () => {
  const rate = 8000;
  const signal = noise(rate, 4000, -55);
  for (let ms = 100; ms < 4000; ms += 100) signal[(ms * rate) / 1000] = 32767; // clicks
  for (let ms = 130; ms < 4000; ms += 250) addTone(signal, rate, ms, ms + 5, -10); // 5 ms pops
  addTone(signal, rate, 2000, 2120, -20); // 120 ms: a cough, not speech
  assert.deepEqual(detect(pcm(signal), { sampleRate: rate }), []);
});

Deno.test("`SpeechDetector` follows a slowly rising noise floor and still hears speech above it", () => {
  const rate = 8000;
  // Noise rising 1.5 dB/s from -60 to -30 dBFS over 20 s, then steady; a tone 20 dB above it.
  const signal = noise(rate, 22_000, (ms) => Math.min(-30, -60 + (1.5 * ms) / 1000));
  const detector = new SpeechDetector({ sampleRate: rate });
  const events: SpeechEvent[] = [];
  const bytes = pcm(signal);
  detector.push(bytes.subarray(0, 2 * 20_400 * 8), (event) => events.push(event));
  assert.equal(events.length, 0, "a rising floor is not speech");
  assert.ok(Math.abs(detector.noiseFloorDb! - -30) < 3, `floor ${detector.noiseFloorDb}`);
  addTone(signal, rate, 20_500, 21_000, -10);
  detector.push(pcm(signal).subarray(2 * 20_400 * 8), (event) => events.push(event));
  assertWithin(events, [[20_500, 21_000]], 10);
});

Deno.test("`SpeechDetector` hears a sudden noise step as speech until the floor has risen to it", () => {
  // Documented behaviour: +20 dB of steady noise at 2 s. The floor rises 3 dB/s, so the level
  // falls under floor + stopDb (6 dB) after about 14 / 3 = 4.7 s: the stop lands near 6.7 s.
  const rate = 8000;
  const signal = noise(rate, 10_000, (ms) => (ms < 2000 ? -60 : -40));
  const events = detect(pcm(signal), { sampleRate: rate });
  assert.deepEqual(events.map((e) => e.type), ["speechstart", "speechstop"]);
  assert.ok(Math.abs(events[0]!.atMs - 2000) <= 10);
  assert.ok(events[1]!.atMs > 6000 && events[1]!.atMs < 7500, `stop at ${events[1]!.atMs}`);
});

Deno.test("`SpeechDetector` keeps an utterance whole while it fades between the two thresholds", () => {
  const rate = 8000;
  const signal = noise(rate, 3000, -55);
  addTone(signal, rate, 500, 800, -25); // 30 dB over the noise: a start
  addTone(signal, rate, 800, 1200, -48); // about 7 dB over: above stopDb, below startDb
  assertWithin(detect(pcm(signal), { sampleRate: rate }), [[500, 1200]], 10);
  const quiet = noise(rate, 3000, -55);
  addTone(quiet, rate, 500, 1500, -48);
  assert.deepEqual(
    detect(pcm(quiet), { sampleRate: rate }),
    [],
    "the quiet part alone is no start",
  );
});

Deno.test("`SpeechDetector` bridges pauses shorter than minSilenceMs and splits at longer ones", () => {
  const rate = 16000;
  const signal = noise(rate, 5000, -55);
  for (const from of [500, 1100, 1700]) addTone(signal, rate, from, from + 300, -25); // 300 ms pauses
  addTone(signal, rate, 2700, 3000, -25); // after 700 ms of silence
  assertWithin(detect(pcm(signal), { sampleRate: rate }), [[500, 2000], [2700, 3000]], 10);
});

Deno.test("`SpeechDetector` finds the same events whatever the chunk boundaries", () => {
  const rate = 8000;
  const signal = noise(rate, 3000, -50, 7);
  addTone(signal, rate, 700.3, 1500.9, -22);
  addTone(signal, rate, 2100, 2500, -30);
  const bytes = pcm(signal);
  const whole = detect(bytes, { sampleRate: rate }, bytes.length);
  assert.equal(whole.length, 4);
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 2001 }), { minLength: 1, maxLength: 40 }),
      (sizes) => {
        const detector = new SpeechDetector({ sampleRate: rate });
        const events: SpeechEvent[] = [];
        let offset = 0;
        for (let n = 0; offset < bytes.length; n++) {
          const size = sizes[n % sizes.length]!;
          detector.push(bytes.subarray(offset, offset + size), (event) => events.push(event));
          offset += size;
        }
        detector.flush((event) => events.push(event));
        assert.deepEqual(events, whole);
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("`SpeechDetector` measures every channel and follows each frame's format on one timeline", () => {
  // One second of 8 kHz mono noise, then 48 kHz stereo with a tone on the right channel only.
  const detector = new SpeechDetector();
  const events: SpeechEvent[] = [];
  const emit = (event: SpeechEvent) => events.push(event);
  const frame = (audio: Uint8Array, sampleRate: number, channels: number): AudioFrame => ({
    type: "audio",
    audio,
    sampleRate,
    channels,
  });
  detector.push(frame(pcm(noise(8000, 1000, -55)), 8000, 1), emit);
  assert.equal(detector.timeMs, 1000);
  const stereo = noise(48000, 2000, -55, 3);
  addTone(stereo, 48000, 300, 1100, -25);
  const bytes = pcm(stereo, 2, 1);
  for (let offset = 0; offset < bytes.length; offset += 3840) {
    detector.push(frame(bytes.subarray(offset, offset + 3840), 48000, 2), emit);
  }
  assert.equal(detector.timeMs, 3000);
  assertWithin(events, [[1300, 2100]], 10);
});

Deno.test("`SpeechDetector.flush` stops speech under way where its silence began, or at the end", () => {
  const rate = 8000;
  const talking = noise(rate, 2000, -55);
  addTone(talking, rate, 1000, 2000, -25);
  assert.deepEqual(times(detect(pcm(talking), { sampleRate: rate })), [
    ["speechstart", 1000],
    ["speechstop", 2000],
  ]);
  const trailing = noise(rate, 2000, -55);
  addTone(trailing, rate, 1000, 1800, -25); // 200 ms of silence, not yet the 500 ms needed
  assert.deepEqual(times(detect(pcm(trailing), { sampleRate: rate })), [
    ["speechstart", 1000],
    ["speechstop", 1800],
  ]);
});

Deno.test("`SpeechDetector.reset` forgets the floor, the speech and the time", () => {
  const rate = 8000;
  const signal = noise(rate, 1500, -55);
  addTone(signal, rate, 500, 1500, -25);
  const detector = new SpeechDetector({ sampleRate: rate });
  const events: SpeechEvent[] = [];
  detector.push(pcm(signal), (event) => events.push(event));
  assert.equal(detector.speaking, true);
  detector.reset();
  assert.equal(detector.speaking, false);
  assert.equal(detector.noiseFloorDb, undefined);
  assert.equal(detector.timeMs, 0);
  detector.push(pcm(signal), (event) => events.push(event));
  assert.deepEqual(times(events), [["speechstart", 500], ["speechstart", 500]]);
});

Deno.test("`SpeechDetector.reset` from a callback starts afresh once the window being judged is done", () => {
  // A bot that starts the detector afresh when speech starts, in the push that hears it.
  const rate = 8000;
  const signal = noise(rate, 4000, -55);
  addTone(signal, rate, 500, 1500, -25);
  addTone(signal, rate, 2500, 3500, -25);
  const bytes = pcm(signal);
  const detector = new SpeechDetector({ sampleRate: rate });
  const events: SpeechEvent[] = [];
  let resetAtMs: number | undefined;
  detector.push(bytes, (event) => {
    events.push(event);
    if (resetAtMs !== undefined) return;
    resetAtMs = detector.timeMs; // the end of the window that completed the start
    detector.reset();
  });
  detector.flush((event) => events.push(event));
  assert.ok(resetAtMs !== undefined);
  // The rest of the push is heard as a fresh detector hears it: its floor from the tone it begins
  // in, its time from 0.
  const rest = bytes.subarray((resetAtMs * rate / 1000) * 2);
  const afresh = detect(rest, { sampleRate: rate }, rest.length);
  assert.equal(events[0]?.type, "speechstart");
  assert.deepEqual(events.slice(1), afresh);
  assert.deepEqual(times(afresh), [["speechstart", 2500 - resetAtMs], [
    "speechstop",
    3500 - resetAtMs,
  ]]);
});

Deno.test("`SpeechDetector.reset` from `onLevel` starts afresh after the window it is told of", () => {
  // A level meter that starts the detector afresh at a moment of its own, mid-push: as from
  // `emit`, the rest of the push is measured as a fresh detector measures it, not cut short.
  const rate = 8000;
  const signal = noise(rate, 4000, -55);
  addTone(signal, rate, 500, 1500, -25);
  addTone(signal, rate, 2500, 3500, -25);
  const bytes = pcm(signal);
  let resetAtMs: number | undefined;
  const detector: SpeechDetector = new SpeechDetector({
    sampleRate: rate,
    onLevel: (_levelDb, _floorDb, atMs, durationMs) => {
      if (resetAtMs !== undefined || atMs < 2000) return;
      resetAtMs = atMs + durationMs; // the end of the window told of
      detector.reset();
    },
  });
  const events: SpeechEvent[] = [];
  detector.push(bytes, (event) => events.push(event));
  detector.flush((event) => events.push(event));
  assert.equal(resetAtMs, 2010);
  const rest = bytes.subarray((2010 * rate / 1000) * 2);
  const afresh = detect(rest, { sampleRate: rate }, rest.length);
  assert.deepEqual(times(events), [["speechstart", 500], ["speechstop", 1500], ...times(afresh)]);
  assert.deepEqual(times(afresh), [["speechstart", 490], ["speechstop", 1490]]);
  assert.equal(detector.timeMs, 4000 - 2010);
});

Deno.test("`SpeechDetector` does not let digital silence make a faint hiss speech", () => {
  // A muted line (exact zeros) then hiss at -52 dBFS: the floor stops at minNoiseFloorDb (-60),
  // so the hiss is 8 dB over it, under startDb.
  const rate = 8000;
  const signal = new Float64Array(rate * 3);
  signal.set(noise(rate, 2000, -52), rate);
  const detector = new SpeechDetector({ sampleRate: rate });
  const events: SpeechEvent[] = [];
  detector.push(pcm(signal).subarray(0, 2 * rate), (event) => events.push(event));
  assert.equal(detector.noiseFloorDb, -60);
  detector.push(pcm(signal).subarray(2 * rate), (event) => events.push(event));
  assert.deepEqual(events, []);
  assert.ok(Math.abs(detector.noiseFloorDb! - -52) < 2, `floor ${detector.noiseFloorDb}`);
});

Deno.test("`SpeechDetector` takes neither a lost packet's zeros nor a muted line on a noisy line for speech", () => {
  // A caller in a café: steady noise at -40 dBFS. Each lost 20 ms packet the transport fills with
  // zeros (at a window's edge, or 3 ms into one) used to pull the floor to minNoiseFloorDb (-60):
  // the noise then stood 20 dB over it, speech for seconds. So did a muted line.
  const rate = 8000;
  const gaps = [[3000, 3020], [3003, 3023], [3000, 3060], [2000, 4000]] as const;
  for (const [fromMs, toMs] of gaps) {
    const signal = noise(rate, 6000, -40, 5);
    signal.fill(0, (fromMs * rate) / 1000, (toMs * rate) / 1000);
    const detector = new SpeechDetector({ sampleRate: rate });
    const events: SpeechEvent[] = [];
    detector.push(pcm(signal), (event) => events.push(event));
    assert.deepEqual(times(events), [], `zeros from ${fromMs} to ${toMs} ms`);
    assert.ok(Math.abs(detector.noiseFloorDb! - -40) < 2, `floor ${detector.noiseFloorDb}`);
  }
  // Speech after the muted line is still speech, against the floor from before it.
  const signal = noise(rate, 6000, -40, 5);
  signal.fill(0, 2 * rate, 4 * rate);
  addTone(signal, rate, 4500, 5200, -20);
  assertWithin(detect(pcm(signal), { sampleRate: rate }), [[4500, 5200]], 10);
});

Deno.test("`SpeechDetector` follows a quieter noise within 50 ms, past a lost packet's ring", () => {
  // The floor falls to a quieter level held for 30 ms: a noise 20 dB quieter from 2 s on lowers
  // it at once (the tone at 2.3 s is 20 dB over the new noise, 0 dB over the old)...
  const rate = 8000;
  const quieter = noise(rate, 4000, (ms) => (ms < 2000 ? -40 : -60), 9);
  addTone(quieter, rate, 2300, 2800, -40);
  assertWithin(detect(pcm(quieter), { sampleRate: rate }), [[2300, 2800]], 10);
  // ...while two windows 15 and 26 dB quiet (a 20 ms gap resampled: the filter rings down) do not.
  const ring = noise(rate, 6000, -40, 9);
  for (let i = 3 * rate; i < 3 * rate + 80; i++) ring[i]! *= 10 ** (-15 / 20);
  for (let i = 3 * rate + 80; i < 3 * rate + 160; i++) ring[i]! *= 10 ** (-26 / 20);
  assert.deepEqual(detect(pcm(ring), { sampleRate: rate }), []);
});

Deno.test("`SpeechDetector` reports the speech's level and the noise floor it stood out from", () => {
  const rate = 16000;
  const signal = noise(rate, 3000, -55);
  addTone(signal, rate, 1000, 2000, -20);
  const [start, stop] = detect(pcm(signal), { sampleRate: rate });
  assert.ok(start?.type === "speechstart" && stop?.type === "speechstop");
  assert.ok(Math.abs(start.levelDb - -20) < 1, `level ${start.levelDb}`);
  assert.ok(Math.abs(start.noiseFloorDb - -55) < 3, `floor ${start.noiseFloorDb}`);
  assert.ok(Math.abs(stop.levelDb - -20) < 1);
  assert.equal(stop.durationMs, 1000);
});

Deno.test("`SpeechDetector` finds two espeak-ng utterances in noise where the recording has them", async () => {
  // tests/streams/fixtures/speech_8k.wav (see its README): the truth is where the clean recording
  // first and last exceeds -40 dBFS in each utterance.
  const wav = await Deno.readFile(new URL("./fixtures/speech_8k.wav", import.meta.url));
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  assert.equal(view.getUint32(24, true), 8000);
  assert.equal(new TextDecoder().decode(wav.subarray(36, 40)), "data");
  const speech = new Int16Array(wav.slice(44, 44 + view.getUint32(40, true)).buffer);
  const rate = 8000;
  const offsetMs = 1000;
  const truth: [number, number][] = [];
  let last = -Infinity;
  speech.forEach((sample, i) => {
    if (Math.abs(sample) <= 328) return;
    const ms = offsetMs + (i * 1000) / rate;
    if (ms - last > 300) truth.push([ms, ms]);
    truth.at(-1)![1] = ms + 1000 / rate;
    last = ms;
  });
  assert.equal(truth.length, 2);
  const signal = noise(rate, 5000, -50, 11);
  speech.forEach((sample, i) => signal[(offsetMs * rate) / 1000 + i]! += sample);
  assertWithin(detect(pcm(signal), { sampleRate: rate }), truth, 10);
});

Deno.test("`SpeechDetector` refuses bad options with a RangeError naming the value", () => {
  assert.throws(() => new SpeechDetector({ sampleRate: 0 }), /sampleRate.*0/);
  assert.throws(() => new SpeechDetector({ channels: 1.5 }), /channels.*1\.5/);
  assert.throws(() => new SpeechDetector({ windowMs: -10 }), /windowMs.*-10/);
  assert.throws(() => new SpeechDetector({ startDb: 6, stopDb: 9 }), /stopDb.*9/);
  assert.throws(() => new SpeechDetector({ minSpeechMs: Number.NaN }), /minSpeechMs/);
  assert.throws(() => new SpeechDetector({ minNoiseFloorDb: -Infinity }), /minNoiseFloorDb/);
  const detector = new SpeechDetector();
  assert.throws(
    () =>
      detector.push(
        { type: "audio", audio: new Uint8Array(2), sampleRate: Number.NaN, channels: 1 },
        () => {},
      ),
    /sampleRate.*NaN/,
  );
});

Deno.test("`SpeechDetector` hears speech that begins 20 ms after the noise drops by 20 dB", () => {
  // The floor must follow the drop in the speech's first pauses (40 ms between syllables), or
  // the speech, 5 dB over the old noise, is never 12 dB over the floor.
  const rate = 8000;
  let seed = 9;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const amplitude = (db: number) => 32768 * 10 ** (db / 20);
  const line = new Int16Array(rate * 6).map((_, i) => {
    const ms = (i * 1000) / rate;
    let v = (random() * 2 - 1) * Math.sqrt(3) * amplitude(ms < 3000 ? -35 : -55);
    const t = ms - 3020;
    if (t >= 0 && t < 1500 && t % 290 < 250) {
      v += amplitude(-30) * Math.SQRT2 * Math.sin((2 * Math.PI * 220 * i) / rate);
    }
    return Math.round(v);
  });
  const detector = new SpeechDetector({ sampleRate: rate });
  const events: SpeechEvent[] = [];
  const bytes = new Uint8Array(line.buffer);
  for (let o = 0; o < bytes.length; o += 320) {
    detector.push(bytes.subarray(o, o + 320), (e) => events.push(e));
  }
  detector.flush((e) => events.push(e));
  const starts = events.filter((e) => e.type === "speechstart").map((e) => e.atMs);
  assert.ok(starts.length > 0 && starts[0]! <= 3320, `speech starts: ${JSON.stringify(starts)}`);
});

Deno.test("`SpeechDetector` hears speech that began at the first sample from its first pause of digital silence on", () => {
  // A trimmed TTS file: a tone from the first sample, its pauses exact zeros. The first window
  // sets the floor at the tone's level; the first pause must lower it, as a silent start would.
  const rate = 16000;
  const signal = new Float64Array(rate * 5);
  addTone(signal, rate, 0, 1000, -15);
  addTone(signal, rate, 2000, 3000, -15);
  assert.deepEqual(times(detect(pcm(signal), { sampleRate: rate })), [
    ["speechstart", 2000],
    ["speechstop", 3000],
  ]);
  // The pause must be one that ends speech (minSilenceMs): a lost packet or a 300 ms burst of loss
  // in the call's first second on a noisy line leaves the floor where it was: the noise is no speech.
  for (const [fromMs, toMs] of [[500, 520], [500, 800]] as const) {
    const line = noise(rate, 4000, -40, 5);
    line.fill(0, (fromMs * rate) / 1000, (toMs * rate) / 1000);
    assert.deepEqual(detect(pcm(line), { sampleRate: rate }), [], `zeros ${fromMs}-${toMs} ms`);
  }
});

Deno.test("a DC offset does not hide speech", () => {
  // An offset of 1000 (3 % of full scale) under hiss, speech at -27 dBFS from 1 to 2 s: the
  // offset is no sound, so the events are those of the same signal without it.
  const hiss = (i: number) => ((i * 7919) % 11) - 5;
  const samples = new Int16Array(48000).map((_, i) =>
    1000 + (i >= 16000 && i < 32000 ? 2000 * Math.sin(i / 4) : hiss(i))
  );
  const events: SpeechEvent[] = [];
  const detector = new SpeechDetector();
  detector.push(new Uint8Array(samples.buffer), (e) => events.push(e));
  detector.flush((e) => events.push(e));
  const expected = [["speechstart", 1000], ["speechstop", 2000]];
  assert.deepEqual(events.map((e) => [e.type, e.atMs]), expected);
  // Each channel's own offset is taken out (opposite offsets do not cancel into a mean of zero),
  // however the pushes cut the samples and the sample frames.
  const stereo = new Int16Array(2 * 48000).map((_, n) => {
    const [i, right] = [n >> 1, n % 2 === 1];
    const speech = right && i >= 16000 && i < 32000 ? 2000 * Math.sin(i / 4) : hiss(n);
    return (right ? -3000 : 3000) + speech;
  });
  const bytes = new Uint8Array(stereo.buffer);
  for (const chunk of [bytes.length, 3840, 333]) {
    const heard = detect(bytes, { channels: 2 }, chunk);
    assert.deepEqual(times(heard), expected, `pushes of ${chunk} bytes`);
  }
});

Deno.test("`SpeechDetector` whose onLevel threw measures the rest of the push, and the next window alone", () => {
  // The window's energy was kept, and the time left uncounted, when onLevel threw: the next
  // window was measured with the loud one's energy in it (a quiet window read -7 dBFS), and the
  // rest of the push was neither measured nor counted.
  const rate = 8000;
  const loud = noise(rate, 30, -60);
  addTone(loud, rate, 0, 30, -6);
  const levels: number[] = [];
  const detector = new SpeechDetector({
    sampleRate: rate,
    onLevel(levelDb) {
      levels.push(levelDb);
      if (levels.length === 1) throw new Error("meter failed once");
    },
  });
  assert.throws(() => detector.push(pcm(loud), () => {}), /meter failed once/);
  assert.equal(detector.timeMs, 30, "all 30 ms pushed are counted");
  assert.equal(levels.length, 3, "and measured");
  detector.push(pcm(noise(rate, 30, -60)), () => {});
  assert.equal(levels.length, 6);
  assert.ok(levels.slice(3).every((db) => db < -55), `quiet windows read ${levels.slice(3)} dBFS`);
});

Deno.test("`SpeechDetector` whose callbacks throw hears what one whose callbacks do not hears, each push throwing the first", () => {
  const rate = 8000;
  const signal = noise(rate, 3000, -55);
  addTone(signal, rate, 500, 1500, -25);
  addTone(signal, rate, 2200, 3000, -25); // still under way at the end: stopped by flush
  const bytes = pcm(signal);
  const listen = (throwing: boolean) => {
    const windows: number[][] = [];
    const events: SpeechEvent[] = [];
    let raised: string[] = []; // what the callbacks threw in this push
    const fail = (message: string) => {
      raised.push(message);
      throw new Error(message);
    };
    const detector = new SpeechDetector({
      sampleRate: rate,
      onLevel(...window) {
        windows.push(window);
        if (throwing && windows.length % 7 === 1) fail(`window ${windows.length}`);
      },
    });
    const emit = (event: SpeechEvent) => {
      events.push(event);
      if (throwing) fail(event.type);
    };
    const escaped: string[] = [];
    const attempt = (work: () => void) => {
      raised = [];
      try {
        work();
        assert.deepEqual(raised, [], "a push whose callbacks threw throws");
      } catch (error) {
        assert.equal((error as Error).message, raised[0], "the first a callback threw escapes");
        escaped.push(raised[0]!);
      }
    };
    for (let offset = 0; offset < bytes.length; offset += 333) { // samples split across pushes
      attempt(() => detector.push(bytes.subarray(offset, offset + 333), emit));
      const samples = Math.floor(Math.min(bytes.length, offset + 333) / 2);
      assert.equal(detector.timeMs, samples * 1000 / rate, "every sample pushed is counted");
    }
    attempt(() => detector.flush(emit));
    return { windows, events, escaped, floorDb: detector.noiseFloorDb, timeMs: detector.timeMs };
  };
  const calm = listen(false);
  const throwing = listen(true);
  assert.deepEqual(times(calm.events), [
    ["speechstart", 500],
    ["speechstop", 1500],
    ["speechstart", 2200],
    ["speechstop", 3000],
  ]);
  assert.deepEqual(throwing.events, calm.events, "the same events, each emitted once");
  assert.deepEqual(throwing.windows, calm.windows, "the same windows, levels and floors");
  assert.equal(throwing.floorDb, calm.floorDb);
  assert.equal(throwing.timeMs, 3000);
  assert.deepEqual(calm.escaped, []);
  assert.ok(throwing.escaped.length > 40, `${throwing.escaped.length} pushes threw`);
  assert.ok(throwing.escaped.includes("speechstart"), "an emit's exception escapes push");
  assert.equal(throwing.escaped.at(-1), "speechstop", "and flush");
});
