// A click in the caller's own audio (a pop, one 10 ms block of sound: no utterance by the rules
// the report follows, tests/simulator/talk_spurts_dc_test.ts) was taken for the caller beginning
// to speak: the bot's reply playing was held over where its audio ran dry, so a gap in it after
// the click was no underrun (the caller "spoke into the silence"), and the report said none.
// The bot is a Twilio Media Streams peer (Twilio Docs, "Media Streams - WebSocket Messages",
// "Send messages back to Twilio": `media` with `streamSid` and `media.payload`, base64 μ-law
// 8 kHz) whose reply runs dry: 500 ms of it sent 100 ms after `start`, the rest 200 ms late; bot
// and simulator on one FakeClock over real sockets (./_silent_bot_call.ts): exact times. The
// caller's audio is a stream without speech segments (its detector finds its speech).
import assert from "node:assert/strict";
import type { CallReport } from "../../src/simulator/mod.ts";
import { callLockstepBot } from "./_silent_bot_call.ts";
import { tonePayload } from "./_twilio_talking_bot.ts";

// The line's own rate: resampled, a pop would ring into the next block (20 ms of sound).
const RATE = 8000;

/** 2 s of the caller's silence, with a 10 ms pop (a loud 1 kHz tone) at `popAtMs` if given. */
function callerAudio(popAtMs?: number): Uint8Array {
  const samples = new Int16Array(2 * RATE);
  if (popAtMs !== undefined) {
    const from = (popAtMs * RATE) / 1000;
    for (let i = 0; i < RATE / 100; i++) {
      samples[from + i] = Math.round(12000 * Math.sin((2 * Math.PI * 1000 * i) / RATE));
    }
  }
  return new Uint8Array(samples.buffer);
}

/** A call whose bot's reply runs dry from 600 to 800 ms; the caller's audio as `pcm` says. */
function call(pcm: Uint8Array): Promise<CallReport> {
  return callLockstepBot(
    { protocol: "twilio", audio: { pcm, sampleRate: RATE }, hangUpAtMs: 2000 },
    (socket, clock) => {
      socket.addEventListener("message", (e: MessageEvent) => {
        const m = JSON.parse(e.data);
        if (m.event !== "start") return;
        const send = (payload: string) =>
          socket.send(
            JSON.stringify({ event: "media", streamSid: m.streamSid, media: { payload } }),
          );
        clock.sleep(100).then(() => {
          send(tonePayload(500));
          return clock.sleep(700);
        }).then(() => send(tonePayload(500)));
      });
    },
  );
}

const underruns = (report: CallReport) => ({
  utterances: report.utterances.length,
  underruns: report.audio.underruns,
  underrunMs: report.audio.underrunMs,
});

Deno.test("a gap in the bot's reply is an underrun with the caller silent", async () => {
  assert.deepEqual(underruns(await call(callerAudio())), {
    utterances: 0,
    underruns: 1,
    underrunMs: 200,
  });
});

Deno.test("a pop in the caller's audio during the bot's reply is not the caller speaking: the gap after it is an underrun", async () => {
  assert.deepEqual(underruns(await call(callerAudio(400))), {
    utterances: 0,
    underruns: 1,
    underrunMs: 200,
  });
});
