import assert from "node:assert/strict";
import {
  BargeInStream,
  type InterruptResult,
  SpeechDetector,
  type SpeechEvent,
  type SpeechStartEvent,
} from "../../mod.ts";
import { activeLevelDb, frames, mix, noise, random, recording } from "./_real_speech.ts";

// The keypad (DTMF, ITU-T Q.23): row and column frequencies; a digit sounds one of each.
const ROWS = [697, 770, 852, 941];
const COLUMNS = [1209, 1336, 1477, 1633];
const KEYS = "123A456B789C*0#D";

/**
 * A caller typing `digits`: each a sum of two sines, `onMs` on and `offMs` off (Q.24 asks a
 * receiver to take tones and gaps of 40 ms), each tone `toneDb` dBFS RMS, the column `twistDb`
 * louder than the row, both `deviation` off their nominal frequency, from `atMs` on.
 */
function dialled(
  line: Int16Array,
  rate: number,
  digits: string,
  { atMs = 500, onMs = 100, offMs = 40, toneDb = -10, twistDb = 0, deviation = 0, seed = 1 } = {},
): Int16Array {
  const next = random(seed);
  const rowPeak = 32768 * 10 ** (toneDb / 20) * Math.SQRT2;
  const columnPeak = rowPeak * 10 ** (twistDb / 20);
  const out = Int16Array.from(line);
  let from = Math.round((atMs * rate) / 1000);
  for (const digit of digits) {
    const key = KEYS.indexOf(digit);
    const row = 2 * Math.PI * ROWS[key >> 2]! * (1 + deviation) / rate;
    const column = 2 * Math.PI * COLUMNS[key & 3]! * (1 - deviation) / rate;
    const [rowPhase, columnPhase] = [next() * 2 * Math.PI, next() * 2 * Math.PI];
    const length = Math.round((onMs * rate) / 1000);
    for (let i = 0; i < length && from + i < out.length; i++) {
      const tone = rowPeak * Math.sin(row * i + rowPhase) +
        columnPeak * Math.sin(column * i + columnPhase);
      out[from + i] = Math.max(-32768, Math.min(32767, Math.round(out[from + i]! + tone)));
    }
    from += length + Math.round((offMs * rate) / 1000);
  }
  return out;
}

/** The detector's events for `samples`, pushed `ms` at a time (a window may span two pushes). */
function detect(samples: Int16Array, rate: number, ms = 20, windowMs = 10): SpeechEvent[] {
  const detector = new SpeechDetector({ sampleRate: rate, windowMs });
  const events: SpeechEvent[] = [];
  for (const frame of frames(samples, rate, ms)) {
    detector.push(frame, (event) => events.push(event));
  }
  detector.flush((event) => events.push(event));
  return events;
}

const summary = (events: SpeechEvent[]) => events.map((e) => `${e.type}@${e.atMs}`).join(", ");
const PIN = "4711#0815*3926ABCD";

for (const rate of [8000, 16000]) {
  Deno.test(`\`SpeechDetector\` does not take a caller typing digits for speech (${rate / 1000} kHz)`, () => {
    // Tones of 100 ms with gaps of 40 ms sound 70 % of the time: they passed "200 ms, 70 % of
    // it over stopDb" from the second digit on, and a PIN barged in on the bot.
    const lines = {
      "a clean line": new Int16Array(rate * 5),
      "hiss at -50 dBFS": noise("white", rate, 5, -50, 2),
      "a line's noise 20 dB under the tones": noise("pink", rate, 5, -30, 3),
    };
    const timings = [
      { onMs: 100, offMs: 40 }, // a fast caller
      { onMs: 40, offMs: 40 }, // the shortest a receiver must take (Q.24), an autodialler
      { onMs: 70, offMs: 50 },
      { onMs: 250, offMs: 40 }, // keys held down
    ];
    for (const [lineName, line] of Object.entries(lines)) {
      for (const timing of timings) {
        for (
          const tones of [
            { toneDb: -10, twistDb: 0 },
            { toneDb: -16, twistDb: 3 }, // the column louder, as a phone sends it
            { toneDb: -12, twistDb: -6, deviation: 0.01 }, // the row louder, 1 % off
          ]
        ) {
          for (const ms of [20, 15]) {
            const events = detect(dialled(line, rate, PIN, { ...timing, ...tones }), rate, ms);
            assert.deepEqual(
              events,
              [],
              `${lineName}, ${JSON.stringify({ ...timing, ...tones })}, ${ms} ms frames: ${
                summary(events)
              }`,
            );
          }
        }
      }
    }
  });
}

Deno.test("`SpeechDetector` takes no digit up to 1.5 % off its frequency for speech, at any window", () => {
  // A keypad's tones may be off their nominal frequency: a receiver accepts a digit whose tones
  // are within 1.5 % of it (ITU-T Q.24; "the receiver accepts frequency deviations of ±1.5% (like
  // ITU-T Q.24)": TinyModem's DTMF wiki page), the tones up to 8 dB apart, the high one louder, or
  // 4 dB the other way (twist, reverse twist: spandsp's defaults, FreeSWITCH's
  // spandsp_dtmf_rx_twist and spandsp_dtmf_rx_reverse_twist pages). Filters at the nominal
  // frequencies alone lost such a digit in windows of 15 ms and more (a tone's band narrows as
  // 1/window): 1.5 % off started speech at 15 and 20 ms, 1 % off at 20 and 30 ms.
  const tonings = [
    { toneDb: -10, twistDb: 0 },
    { toneDb: -18, twistDb: 8 }, // the column 8 dB louder
    { toneDb: -12, twistDb: -6 }, // the row 6 dB louder
  ];
  const failed: string[] = [];
  for (const rate of [8000, 16000]) {
    const line = noise("white", rate, 4, -50, 2);
    for (const windowMs of [8, 10, 15, 20, 30]) {
      for (const deviation of [-0.015, -0.01, 0.01, 0.015]) {
        for (
          const tones of tonings
        ) {
          const events = detect(
            dialled(line, rate, PIN, { ...tones, deviation }),
            rate,
            20,
            windowMs,
          );
          if (events.length > 0) {
            failed.push(
              `${rate} Hz, windowMs ${windowMs}, ${deviation * 100} %, ${JSON.stringify(tones)}: ${
                summary(events)
              }`,
            );
          }
        }
      }
    }
  }
  assert.deepEqual(failed, []);
});

Deno.test("`SpeechDetector` hears speech over a key held down 1.5 % off, at any window", async () => {
  // Speech over a held key still starts (the tones 12 dB under the voice: where they hold nearly
  // all of a window it counts as quiet, as loud they mask it), where the speech begins, not where
  // the tone does: in windows of 20 ms and more, the tone alone started speech at 480 to 500 ms.
  // Alone on the line the speech starts where it did (the filters beside each keypad frequency
  // hold a little more of speech: none of its windows here counts as a keypad tone). Not
  // caller_stop_8k.wav: its soft first word is masked by a held key at every window (as before).
  const wrong: string[] = [];
  for (
    const name of ["word_gaps_8k.wav", "bill_16k.wav", "excuse_me_8k.wav", "speech_8k.wav"]
  ) {
    const { samples: voice, rate } = await recording(name);
    const level = activeLevelDb(voice, rate);
    const hiss = noise("white", rate, 8, level - 30);
    const held = dialled(hiss, rate, "5", {
      atMs: 500,
      onMs: 7000,
      toneDb: level - 12,
      deviation: 0.015,
    });
    for (const windowMs of [8, 10, 15, 20, 30]) {
      const alone = detect(mix(hiss, voice, rate, 1000), rate, 20, windowMs);
      const over = detect(mix(held, voice, rate, 1000), rate, 20, windowMs);
      const aloneMs = alone[0]?.type === "speechstart" ? alone[0].atMs : NaN;
      const overMs = over[0]?.type === "speechstart" ? over[0].atMs : NaN;
      // A window may begin before the speech; a held key may mask a soft first syllable.
      if (
        !(aloneMs >= 1000 - windowMs && aloneMs <= 1700 && overMs >= 1000 - windowMs &&
          overMs <= aloneMs + 600)
      ) {
        wrong.push(
          `${name}, windowMs ${windowMs}: alone ${summary(alone)}; over a key ${summary(over)}`,
        );
      }
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("`SpeechDetector` still hears a caller who speaks after typing digits, or over them", async () => {
  const { samples: voice, rate } = await recording("excuse_me_question_8k.wav");
  const level = activeLevelDb(voice, rate);
  const hiss = noise("white", rate, 6, level - 30);
  const typed = dialled(hiss, rate, PIN, { atMs: 300, toneDb: level });
  // The PIN ends at 300 + 18 × 140 = 2820 ms; the caller speaks at 3500.
  const after = detect(mix(typed, voice, rate, 3500), rate);
  assert.deepEqual(after.map((e) => e.type), ["speechstart", "speechstop"], summary(after));
  assert.ok(after[0]!.atMs >= 3500 && after[0]!.atMs <= 3700, summary(after));
  // Speaking while a key is held down, the tones 12 dB under the voice: the voice is heard (where
  // the tones hold nearly all of a window it counts as quiet: as loud as the voice, they mask it).
  const held = dialled(hiss, rate, "5", { atMs: 1000, onMs: 2500, toneDb: level - 12 });
  const over = detect(mix(held, voice, rate, 1500), rate);
  assert.equal(over[0]?.type, "speechstart", summary(over));
  assert.ok(over[0]!.atMs >= 1500 && over[0]!.atMs <= 1800, summary(over));
});

Deno.test("`SpeechDetector` hears a PIN typed on one channel of two, as bare bytes split anywhere", () => {
  const rate = 16000;
  const mono = dialled(noise("white", rate, 4, -50), rate, PIN);
  const stereo = new Int16Array(mono.length * 2).map((_, i) => i & 1 ? mono[i >> 1]! : 0);
  const bytes = new Uint8Array(stereo.buffer);
  const detector = new SpeechDetector({ sampleRate: rate, channels: 2 });
  const events: SpeechEvent[] = [];
  for (let at = 0; at < bytes.length; at += 333) { // odd: samples split across pushes
    detector.push(bytes.subarray(at, at + 333), (event) => events.push(event));
  }
  assert.deepEqual(events, [], summary(events));
});

Deno.test("`BargeInStream` is not interrupted by a caller typing a PIN while the bot speaks", async () => {
  const rate = 8000;
  const line = dialled(noise("white", rate, 4, -55), rate, PIN);
  let interrupts = 0;
  const transport = {
    playback: { speaking: true, responseId: "turn-1" },
    interrupt(): Promise<InterruptResult> {
      interrupts++;
      return Promise.resolve({
        responseId: "turn-1",
        heardMs: 0,
        droppedMs: 0,
        acknowledged: false,
      });
    },
  };
  const stream = new BargeInStream(transport);
  await Array.fromAsync(ReadableStream.from(frames(line, rate)).pipeThrough(stream));
  assert.equal(interrupts, 0);
});

Deno.test("`SpeechDetector` with windows under 8 ms takes no speech for keypad tones", async () => {
  // The test was tuned on 10 ms windows (bands 100 Hz wide); at 1 to 3 ms a band is 300 to 1000
  // Hz wide, and speech read as tones: never heard at 1 ms, up to 1.9 s late at 2 ms.
  const late: string[] = [];
  for (
    const name of ["caller_stop_8k.wav", "word_gaps_8k.wav", "bill_16k.wav", "excuse_me_8k.wav"]
  ) {
    const { samples, rate } = await recording(name);
    const line = mix(noise("white", rate, 8, -60), samples, rate, 1000);
    for (const windowMs of [1, 2, 3]) {
      const detector = new SpeechDetector({ sampleRate: rate, windowMs });
      const events: SpeechEvent[] = [];
      for (const frame of frames(line, rate)) detector.push(frame, (event) => events.push(event));
      const start = events.find((event) => event.type === "speechstart");
      if (start === undefined || start.atMs > 1100) {
        late.push(`${name}, windowMs ${windowMs}: speechstart at ${start?.atMs ?? "never"}`);
      }
    }
  }
  assert.deepEqual(late, []);
  // From 8 ms on the tones are told apart from speech: a PIN is still no speech there.
  for (const rate of [8000, 16000]) {
    const typed = dialled(noise("white", rate, 4, -50, 2), rate, PIN);
    for (const windowMs of [8, 9, 12]) {
      const detector = new SpeechDetector({ sampleRate: rate, windowMs });
      const events: SpeechEvent[] = [];
      for (const frame of frames(typed, rate)) detector.push(frame, (event) => events.push(event));
      assert.deepEqual(events, [], `${rate} Hz, windowMs ${windowMs}: ${summary(events)}`);
    }
  }
});

Deno.test("`SpeechDetector` tells onLevel whether its window is a keypad tone", async () => {
  const { samples: voice, rate } = await recording("excuse_me_8k.wav");
  const line = dialled(mix(noise("white", rate, 3, -50), voice, rate, 1500), rate, "5", {
    atMs: 500,
    onMs: 500,
  });
  const keypad: number[] = [];
  const detector: SpeechDetector = new SpeechDetector({
    sampleRate: rate,
    onLevel(_levelDb, _floorDb, atMs) {
      if (detector.windowIsKeypadTone()) keypad.push(atMs);
    },
  });
  for (const frame of frames(line, rate)) detector.push(frame, () => {});
  // The tone's windows (500 to 1000 ms), none of the voice's (from 1500 ms).
  assert.deepEqual(keypad, Array.from({ length: 50 }, (_, n) => 500 + 10 * n));
  assert.equal(detector.windowIsKeypadTone(), false, "outside onLevel: no window");
});

Deno.test("`BargeInStream` with a bar over the bot's echo is not interrupted by a PIN typed over it", async () => {
  // The detector took no tones for speech, but BargeInStream's own watch over the bar (speech
  // that began under it: the echo) judged windows by level only, and the PIN barged in.
  const rate = 8000;
  const bot = (await recording("bot_answer_8k.wav")).samples;
  const echo = mix(noise("white", rate, 8, -60), bot, rate, 1120, -20);
  const bargeIns: SpeechStartEvent[] = [];
  const transport = {
    playback: { speaking: true, responseId: "turn-1" },
    interrupt: (): Promise<InterruptResult> =>
      Promise.resolve({ responseId: "turn-1", heardMs: 0, droppedMs: 0, acknowledged: false }),
  };
  const listen = async (line: Int16Array) => {
    const stream = new BargeInStream(transport, {
      minLevelAboveFloorDb: 32,
      onBargeIn: (_result, speech) => bargeIns.push(speech),
    });
    await Array.fromAsync(ReadableStream.from(frames(line, rate)).pipeThrough(stream));
    return bargeIns.splice(0);
  };
  const typed = dialled(echo, rate, "4711#0815*3926", { atMs: 2000 });
  assert.deepEqual(await listen(typed), []);
  // A caller who talks over the echo after the PIN still barges in, where the words begin.
  const caller = (await recording("caller_stop_8k.wav")).samples;
  const talked = await listen(mix(typed, caller, rate, 4500));
  assert.equal(talked.length, 1, JSON.stringify(talked));
  assert.ok(talked[0]!.atMs >= 4500 && talked[0]!.atMs <= 6000, `from ${talked[0]!.atMs}`);
});
