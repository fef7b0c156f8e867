/**
 * The cost of recording a call as heard: one minute of a session through `CallRecorder`'s
 * observer methods, as a transport would call them — the caller's 20 ms frames as they arrive,
 * the bot's 40 ms chunks as they leave (a 4 s answer every 6 s, every third one interrupted),
 * read to the end as a stereo 16 kHz WAV — next to the floor of any recorder: copying the same
 * PCM once. A minute per iteration: one session's CPU share is the time per iteration / 60 s.
 *
 * A session that does not record pays nothing: the transport calls no observer when none is
 * attached (an empty-array check per chunk) and never loads this module.
 *
 * Run: `npx deno bench --allow-all tests/bench/recording_bench.ts`
 *
 * @module
 */

import { type AudioFrame, CallRecorder, type Clock } from "@x/ws-transport";

/** A clock the bench moves by hand. */
const clock = { time: 0, now: () => clock.time } as unknown as Clock & { time: number };

function frame(rate: number, ms: number, value: number): AudioFrame {
  const samples = new Int16Array((rate * ms) / 1000).map((_, i) => value * Math.sin(i / 7));
  return { type: "audio", audio: new Uint8Array(samples.buffer), sampleRate: rate, channels: 1 };
}

/** One minute of a call: inbound at `inRate`, outbound at `outRate`, recorded at 16 kHz stereo. */
async function minute(inRate: number, outRate: number): Promise<number> {
  clock.time = 0;
  const recorder = new CallRecorder({ clock, maxBufferedMs: 120_000 });
  const read = new Response(recorder.readable).arrayBuffer();
  const caller = frame(inRate, 20, 3000);
  const bot = frame(outRate, 40, 6000);
  let position = 0;
  for (let t = 20; t <= 60_000; t += 20) {
    clock.time = t;
    recorder.inboundAudio(caller, t);
    const inAnswer = t % 6000 < 4000;
    if (t % 40 === 0 && inAnswer) {
      recorder.outboundAudio(bot, {
        position,
        durationMs: 40,
        playsAt: t + 60,
        deadline: t - 40,
        sentAt: t - 40,
        speech: true,
      });
      position += 40;
    }
    if (t % 18000 === 2000) recorder.interrupted({ at: t, heardPosition: position - 80 });
  }
  recorder.stop();
  return (await read).byteLength;
}

Deno.bench("copy a minute of both parties' PCM once (the floor)", {
  group: "minute",
  baseline: true,
}, () => {
  const caller = frame(16000, 20, 3000).audio;
  const out = new Uint8Array(60_000 * 64);
  for (let t = 0; t < 3000; t++) out.set(caller, t * 640);
  for (let t = 0; t < 3000; t++) out.set(caller, 60_000 * 32 + t * 640);
});

Deno.bench("record: caller 16 kHz, bot 16 kHz (no resampling)", { group: "minute" }, async () => {
  await minute(16000, 16000);
});

Deno.bench("record: caller 8 kHz (telephony), bot 24 kHz (TTS)", { group: "minute" }, async () => {
  await minute(8000, 24000);
});
