// The unheard-goodbye gate judged the bot's audio left unplayed at its hang-up by a level of its
// own, any sample over -60 dBFS, where every other figure of the call takes sound for speech above
// the call's speech threshold (`speechThresholdDbfs`, -45 dBFS by default): a goodbye played whole
// and then a tail of room noise or breath (-55 dBFS, as a recorded or synthesised prompt ends),
// cut by the bot's hang-up, failed a bot whose every word was heard. Now the gate counts the
// unplayed audio up to its last speech, by the same threshold; words cut still fail it.
// The bot is a Twilio Media Streams peer (Twilio Docs, "Media Streams - WebSocket Messages",
// "Send messages back to Twilio": `media` with `streamSid` and `media.payload`, base64 μ-law
// 8 kHz) that sends its goodbye 100 ms after `start`, all at once, and closes the socket when
// the goodbye's words have played (at 600 ms); bot and simulator on one FakeClock over real
// sockets (./_silent_bot_call.ts): exact times.
import assert from "node:assert/strict";
import { mulawEncode } from "../../src/audio/g711.ts";
import { type CallReport, judgeCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { callLockstepBot } from "./_silent_bot_call.ts";
import { sendAfterStart, tonePayload } from "./_twilio_talking_bot.ts";

/** `ms` of white noise whose RMS is `dbfs`, 8 kHz μ-law, base64 (a fixed seed: exact figures). */
function noisePayload(ms: number, dbfs: number): string {
  // Uniform in [-a, a] has an RMS of a/√3.
  const a = Math.sqrt(3) * 32768 * 10 ** (dbfs / 20);
  let seed = 1;
  const samples = new Int16Array(8 * ms).map(() => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.round(a * (2 * (seed / 2 ** 31) - 1));
  });
  return btoa(String.fromCharCode(...mulawEncode(samples)));
}

/** A call to a bot that sends `payloads` at 100 ms and closes the socket at 600 ms. */
function goodbyeThenClose(payloads: string[]): Promise<CallReport> {
  return callLockstepBot(
    {
      protocol: "twilio",
      audio: syntheticCaller({ utterancesMs: [], pauseMs: 3000 }),
    },
    (socket, clock) =>
      void sendAfterStart(socket, clock, payloads)
        .then(() => clock.sleep(500))
        .then(() => socket.close(1000)),
  );
}

/** How the call ended, its unplayed audio, and why it failed. */
const judged = (report: CallReport) => ({
  by: report.ended.by,
  atMs: report.ended.atMs,
  unplayedAtEndMs: report.audio.unplayedAtEndMs,
  failures: judgeCall(report).failures.map((f) => f.reason),
});

Deno.test("a goodbye heard whole, its tail of -55 dBFS noise cut by the hang-up, passes", async () => {
  const report = await goodbyeThenClose([tonePayload(500), noisePayload(200, -55)]);
  assert.deepEqual(judged(report), { by: "bot", atMs: 600, unplayedAtEndMs: 0, failures: [] });
});

Deno.test("a goodbye whose last 200 ms of words (-40 dBFS) the hang-up cut still fails", async () => {
  const report = await goodbyeThenClose([tonePayload(500), noisePayload(200, -40)]);
  assert.deepEqual(judged(report), {
    by: "bot",
    atMs: 600,
    unplayedAtEndMs: 200,
    failures: ["unheard-goodbye"],
  });
});
