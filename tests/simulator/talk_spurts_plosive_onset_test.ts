// A word that begins with a voiceless stop ("take", "car", "pay") sounds first with the stop's
// burst, a few ms of noise, and voices a voice onset time later: 58, 70 and 80 ms on average for
// English /p t k/ (Lisker & Abramson 1964, "A cross-language study of voicing in initial stops",
// Word 20, table 1), the aspiration between often under a -45 dBFS threshold in quiet speech
// (espeak-ng's "car", "key", "cat", "please", 8 kHz μ-law, 10–15 dB down from its default level:
// burst, 30–40 ms under -45, then voicing). Its spurt, and so the bot's first audible audio and
// its answer, or the caller's utterance, must be dated from the burst: dropped as a click before
// the sound, the start came 20–50 ms late. A pop further off (90 ms of silence and more,
// tests/simulator/talk_spurts_click_start_test.ts) still is no part of the talk.
import assert from "node:assert/strict";
import { TalkSpurtDetector } from "../../src/simulator/_talk_spurts.ts";
import { mulawEncode } from "../../src/audio/g711.ts";
import type { CallReport } from "../../src/simulator/mod.ts";
import { syntheticCaller } from "../../src/simulator/mod.ts";
import { callLockstepBot } from "./_silent_bot_call.ts";

const RATE = 8000;
const quiet = (ms: number) => new Int16Array((RATE * ms) / 1000);
/** `ms` of a sine of `hz` at `peak`. */
const sine = (ms: number, hz: number, peak: number) =>
  new Int16Array((RATE * ms) / 1000).map((_, i) =>
    Math.round(peak * Math.sin((2 * Math.PI * hz * i) / RATE))
  );
/** A stop's burst: 10 ms of a 3 kHz sine at -35 dBFS (RMS), one detector block. */
const burst = () => sine(10, 3000, 800);
/** Voiced speech: a 200 Hz sine at -30 dBFS (RMS). */
const voiced = (ms: number) => sine(ms, 200, 1470);

function detector(): TalkSpurtDetector {
  return new TalkSpurtDetector({
    sampleRate: RATE,
    thresholdDbfs: -45,
    hangoverMs: 250,
    originMs: 0,
  });
}

Deno.test("a stop's burst 40 ms before its voicing starts the spurt, and sounds in its figures", () => {
  const d = detector();
  d.push(quiet(100));
  d.push(burst()); // 100–110 ms
  d.push(quiet(40)); // the aspiration, under the threshold
  d.push(voiced(300)); // 150–450 ms
  assert.equal(d.soundedStartMs, 100);
  d.push(quiet(500));
  d.finish();
  assert.deepEqual(d.spurts, [{ startMs: 100, endMs: 450 }]);
  assert.equal(d.audibleMs(0, 1000), 310);
});

Deno.test("a burst 70 ms before the voicing (a long /k/) is still the onset; 90 ms is a click", () => {
  for (const [gapMs, start] of [[70, 100], [90, 200]] as const) {
    const d = detector();
    d.push(quiet(100));
    d.push(burst());
    d.push(quiet(gapMs));
    d.push(voiced(300));
    d.push(quiet(500));
    d.finish();
    assert.equal(d.spurts[0]?.startMs, start, `${gapMs} ms of silence`);
  }
});

/** `samples` as a Twilio `media` payload (Twilio Docs, "Media Streams - WebSocket Messages"). */
const payload = (samples: Int16Array) => btoa(String.fromCharCode(...mulawEncode(samples)));

Deno.test("the bot's answer that begins with a stop is first audible at its burst", async () => {
  // The bot is a Twilio Media Streams peer that sends, 100 ms after `start`, 900 ms of silence
  // then "car": burst at 1,000 ms, voicing at 1,040 ms (./_silent_bot_call.ts: exact times).
  const audio = new Int16Array(RATE * 2);
  audio.set(burst(), 8 * 900);
  audio.set(voiced(600), 8 * 940);
  const report: CallReport = await callLockstepBot(
    {
      protocol: "twilio",
      audio: syntheticCaller({ utterancesMs: [], pauseMs: 3000 }),
      hangUpAtMs: 3000,
    },
    (socket, clock) => {
      socket.addEventListener("message", (e: MessageEvent) => {
        const m = JSON.parse(e.data);
        if (m.event !== "start") return;
        clock.sleep(100).then(() =>
          socket.send(
            JSON.stringify({
              event: "media",
              streamSid: m.streamSid,
              media: { payload: payload(audio) },
            }),
          )
        );
      });
    },
  );
  assert.equal(report.firstAudibleMs, 1000);
});
