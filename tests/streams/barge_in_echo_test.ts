import assert from "node:assert/strict";
import {
  BargeInStream,
  type BargeInStreamOptions,
  type Frame,
  type InterruptResult,
  type SpeechStartEvent,
} from "../../mod.ts";
import { frames, mix, noise, recording, spokenMs } from "./_real_speech.ts";

// A phone line whose hybrid sends the bot's own voice back 20 dB down, 120 ms late, over hiss at
// -60 dBFS. All 8 kHz.
const RATE = 8000;
const ECHO_MS = 120;
const ECHO_DB = -20;

/** A transport whose bot speaks all the time, counting interruptions. */
function alwaysSpeaking() {
  const bargeIns: SpeechStartEvent[] = [];
  const transport = {
    playback: { speaking: true, responseId: "turn-1" },
    interrupt(): Promise<InterruptResult> {
      return Promise.resolve({
        responseId: "turn-1",
        heardMs: 0,
        droppedMs: 0,
        acknowledged: false,
      });
    },
  };
  const listen = async (line: Int16Array, options: BargeInStreamOptions = {}) => {
    const stream = new BargeInStream(transport, {
      ...options,
      onBargeIn: (_result, speech) => bargeIns.push(speech),
    });
    await Array.fromAsync(ReadableStream.from(frames(line, RATE)).pipeThrough(stream));
    return bargeIns.splice(0);
  };
  return listen;
}

Deno.test("`BargeInStream` with a bar over the bot's echo still hears a caller who talks over the echo", async () => {
  // The documented fix for echo (raise minLevelAboveFloorDb) used to deafen the bot: the echo
  // holds the detector in speech (its pauses are shorter than minSilenceMs), the bar was judged
  // at speechstart only, so the caller's words over it were never a barge-in.
  const bot = (await recording("bot_answer_8k.wav")).samples;
  const caller = (await recording("caller_stop_8k.wav")).samples;
  const hiss = noise("white", RATE, 8, -60);
  const echo = mix(hiss, bot, RATE, 1000 + ECHO_MS, ECHO_DB);
  const listen = alwaysSpeaking();
  assert.equal((await listen(echo)).length, 1, "without a bar the echo interrupts the bot");
  let windows = 0;
  const bar = { minLevelAboveFloorDb: 32, onLevel: () => void windows++ };
  assert.deepEqual(await listen(echo, bar), [], "the bar lets the echo be");
  const callerAlone = await listen(mix(hiss, caller, RATE, 3000), bar);
  assert.equal(callerAlone.length, 1, "the caller alone clears the bar");
  const over = await listen(mix(echo, caller, RATE, 3000), bar);
  assert.equal(over.length, 1, "the caller over the echo interrupts the bot");
  // "Stop, stop.": two words 130 ms over the bar (the floor has risen under the echo), each too
  // short alone; "I need to talk" holds over it: a bar just over the echo costs a quiet caller
  // their first words.
  assert.ok(over[0]!.atMs >= 3000 && over[0]!.atMs <= 4500, `from ${over[0]!.atMs}`);
  assert.ok(over[0]!.levelDb - over[0]!.noiseFloorDb >= 32);
  assert.equal(windows, 3 * 800, "an onLevel of its own is called too");
});

/**
 * The README's barge-in recipe on the echoing line, frame by frame: the bot answers (`reply`,
 * each time), its voice comes back as echo, and `caller` (if any) talks from `atMs`. Returns how
 * many times the bot answered and was interrupted.
 */
async function recipe(
  options: BargeInStreamOptions,
  caller?: { samples: Int16Array; atMs: number },
  reply?: Int16Array,
) {
  const answerAudio = reply ?? (await recording("bot_answer_8k.wav")).samples;
  const FRAME = RATE / 50;
  const ECHO_DELAY = (ECHO_MS * RATE) / 1000;
  let line = noise("white", RATE, 20, -60);
  if (caller) line = mix(line, caller.samples, RATE, caller.atMs);
  let botAt = -1; // where the bot is in its answer, -1: silent
  let answers = 0;
  let interrupts = 0;
  const transport = {
    get playback() {
      return { speaking: botAt >= 0, responseId: `turn-${answers}` };
    },
    interrupt(): Promise<InterruptResult> {
      interrupts++;
      const heardMs = (botAt * 1000) / RATE;
      botAt = -1;
      return Promise.resolve({
        responseId: `turn-${answers}`,
        heardMs,
        droppedMs: 0,
        acknowledged: false,
      });
    },
  };
  const answer = () => {
    answers++;
    botAt = 0;
  };
  // The recipe: speech that began while the bot was audible may be its own echo, which ends
  // within the echo's delay of where the bot was last audible (on the inbound audio's timeline).
  // It is the caller's turn if it stood over the bar where it began, barged in, or went on past
  // that.
  const bar = options.minLevelAboveFloorDb ?? 0;
  const ECHO_TAIL_MS = 300; // over the line's echo delay: the network's and the hybrid's
  let audibleToMs = -Infinity;
  let callersTurn = false;
  const listen = new BargeInStream(transport, {
    ...options,
    onLevel(_levelDb, _floorDb, atMs, durationMs) {
      if (transport.playback.speaking) audibleToMs = atMs + durationMs;
    },
    onSpeech(event) {
      if (event.type === "speechstart") callersTurn = event.levelDb - event.noiseFloorDb >= bar;
      else if (callersTurn || event.atMs > audibleToMs + ECHO_TAIL_MS) answer();
    },
    onBargeIn: () => void (callersTurn = true),
  });
  const writer = listen.writable.getWriter();
  const reader = listen.readable.getReader();
  const sent = new Int16Array(line.length); // what the bot sent, on the line's timeline
  answer(); // the greeting
  for (let at = 0; at + FRAME <= line.length; at += FRAME) {
    for (let i = 0; i < FRAME && botAt >= 0; i++) {
      sent[at + i] = answerAudio[botAt++]!;
      if (botAt >= answerAudio.length) botAt = -1;
    }
    const echo = at >= ECHO_DELAY ? sent.slice(at - ECHO_DELAY, at - ECHO_DELAY + FRAME) : [];
    const samples = mix(line.slice(at, at + FRAME), Int16Array.from(echo), RATE, 0, ECHO_DB);
    const frame: Frame = {
      type: "audio",
      audio: new Uint8Array(samples.buffer),
      sampleRate: RATE,
      channels: 1,
    };
    const written = writer.write(frame);
    await reader.read();
    await written;
  }
  return { answers, interrupts };
}

Deno.test("the README's barge-in recipe neither interrupts nor answers the bot's own echo", async () => {
  // The recipe used to answer at every speechstop: the echo's own speechstop, once the bot fell
  // silent, made it answer again, and again, for the whole call. A bar over the echo (the line's
  // echo is about 25 dB over the floor here) keeps the echo from interrupting.
  const bar = { minLevelAboveFloorDb: 32 };
  assert.deepEqual(await recipe(bar), { answers: 1, interrupts: 0 });
});

Deno.test("the README's barge-in recipe answers a caller who talks over the bot's echo, once", async () => {
  const caller = { samples: (await recording("caller_stop_8k.wav")).samples, atMs: 2500 };
  const bar = { minLevelAboveFloorDb: 32 };
  assert.deepEqual(await recipe(bar, caller), {
    answers: 2,
    interrupts: 1,
  });
});

Deno.test("the README's barge-in recipe does not answer the echo of a reply shorter than minSpeechMs and the echo's delay", async () => {
  // "Sure." (310 ms of sound, as a TTS stream sends it: no silence around it) comes back 120 ms
  // later; the echo's speechstart, 200 ms into it, comes once the bot is silent. The recipe took
  // speech reported while the bot was silent for the caller's: it answered its own echo, and the
  // echo of that answer, all call long (22 answers in 20 s).
  const said = (await recording("sure_8k.wav")).samples;
  const [from, to] = spokenMs(said, RATE).map((ms) => Math.round((ms * RATE) / 1000));
  const sure = said.slice(from, to);
  assert.ok(sure.length / RATE < 0.2 + ECHO_MS / 1000, "shorter than minSpeechMs and the delay");
  assert.deepEqual(await recipe({ minLevelAboveFloorDb: 32 }, undefined, sure), {
    answers: 1,
    interrupts: 0,
  });
});

for (const earlyMs of [100, 0]) {
  Deno.test(`the README's barge-in recipe answers a caller who begins ${earlyMs} ms before the bot's reply ends`, async () => {
    // A caller who answers as the bot finishes (people begin within a few hundred ms of a turn's
    // end, often before it) talks into the echo's tail: no speechstart of their own (the echo's
    // speech goes on), no barge-in (over the bar only once the bot is silent). The recipe, which
    // answered only speech begun in silence or that barged in, never answered: the call stalled.
    const reply = (await recording("bot_answer_8k.wav")).samples;
    const caller = (await recording("caller_stop_8k.wav")).samples;
    const atMs = (reply.length * 1000) / RATE - earlyMs;
    const bar = { minLevelAboveFloorDb: 32 };
    assert.deepEqual(await recipe(bar, { samples: caller, atMs }), { answers: 2, interrupts: 0 });
  });
}

Deno.test("`BargeInStream` over the echo hears a caller's word whole when a swell of the echo crossed the bar just before it", async () => {
  // The watch over the bar began at the swell and, 1.5 × minSpeechMs later, was dropped whole:
  // the word that began 150 ms after the swell lost its first 150 ms, and a word of 250 ms was
  // never a barge-in. The detector's own run drops only what is older than that and begins again
  // at the next window over the bar: the word, from its start.
  const rate = RATE;
  const windowAt = (ms: number) => Math.round((ms * rate) / 1000);
  const line = noise("white", rate, 3, -60);
  const echo = noise("white", rate, 2, -35, 2); // 25 dB over the line: under a bar of 32
  const swell = noise("white", rate, 0.01, -25, 3); // 35 dB over it, one window
  const word = noise("white", rate, 0.25, -24, 4); // the caller: 36 dB over it, 250 ms

  assert.equal(windowAt(1650) % 80, 0);
  const listen = alwaysSpeaking();
  const bar = { minLevelAboveFloorDb: 32 };
  const swelling = mix(mix(line, echo, rate, 500), swell, rate, 1500);
  assert.deepEqual(await listen(swelling, bar), [], "the echo and its swell alone");
  const heard = await listen(mix(swelling, word, rate, 1650), bar);
  assert.equal(heard.length, 1, "the word barges in");
  assert.equal(heard[0]!.atMs, 1650, "from where it began");
});

Deno.test("`BargeInStream` over the echo: a lone short word is heard alone, not over the echo (it stands over the echo for less than minSpeechMs)", async () => {
  // Not a fault of the watch, a limit of a level bar: "Stop" alone is 350 ms of sound 6 dB over
  // the floor, its loudest over the bar, and barges in. Over the echo, its soft /st/ and its
  // end sit at the echo's own level (14 to 21 dB over the floor here), where no level tells them
  // from it: the word is over the bar from its vowel, and within the detector's hysteresis under
  // it for 110 ms from there, short of minSpeechMs. "Stop, stop. I need to…" barges in at the
  // longer words (see above); a quieter echo, a lower bar or a shorter minSpeechMs hear it earlier.
  const caller = (await recording("caller_stop_8k.wav")).samples;
  const stop = caller.subarray(0, RATE * 0.45); // "Stop", then silence
  const hiss = noise("white", RATE, 8, -60);
  const echo = mix(hiss, (await recording("bot_answer_8k.wav")).samples, RATE, 1120, ECHO_DB);
  const listen = alwaysSpeaking();
  let overFromMs = Infinity;
  let soundedToMs = 0;
  const bar = {
    minLevelAboveFloorDb: 32,
    onLevel(levelDb: number, floorDb: number, atMs: number, durationMs: number) {
      if (atMs < 3000 || atMs >= 3450) return;
      if (levelDb - floorDb >= 32) overFromMs = Math.min(overFromMs, atMs);
      if (levelDb - floorDb >= 32 - 6 && atMs > overFromMs) soundedToMs = atMs + durationMs;
    },
  };
  const alone = await listen(mix(hiss, stop, RATE, 3000), { minLevelAboveFloorDb: 32 });
  assert.equal(alone.length, 1, "alone, it barges in");
  assert.ok(alone[0]!.atMs >= 3000 && alone[0]!.atMs <= 3020, `from ${alone[0]!.atMs}`);
  assert.deepEqual(await listen(mix(echo, stop, RATE, 3000), bar), [], "over the echo, not");
  assert.ok(soundedToMs - overFromMs < 200, `over the bar ${overFromMs} to ${soundedToMs}`);
});
