// The caller's barge-in plan went by the bot's spurt detector under way, a click's too: a 10 ms pop
// (one 10 ms block of sound, no spurt by the rules every figure of the report follows: 20 ms of
// sound in a row, tests/simulator/talk_spurts_dc_test.ts) was
// - taken for the bot's answer to the barge-in, heard out, so that the answer itself, a moment
//   later, was barged in on as talk of the bot's own;
// - taken for the start of the bot's talk when the talk followed it within the hangover (250 ms),
//   so that a barge-in `afterMs` into the talk came that much sooner, and the report dated the
//   talk, and so the bot's first audible audio, from the pop.
// The bot is a Twilio Media Streams peer (Twilio Docs, "Media Streams - WebSocket Messages", "Send
// messages back to Twilio": `media` with `streamSid` and `media.payload`, base64 μ-law 8 kHz)
// that never stops for the caller: 100 ms after Twilio's `start` it sends its audio, all at once,
// played in order; bot and simulator on one FakeClock over real sockets (./_silent_bot_call.ts):
// exact times. The caller's own audio is silence; it barges in for 400 ms, `afterMs` into the
// bot's talk.
import assert from "node:assert/strict";
import { type CallReport, syntheticCaller } from "../../src/simulator/mod.ts";
import { callLockstepBot } from "./_silent_bot_call.ts";
import { sendAfterStart, tonePayload } from "./_twilio_talking_bot.ts";

/** `ms` of μ-law silence (0xff decodes to 0, ITU-T G.711 table 2a), base64. */
const silence = (ms: number) => btoa(String.fromCharCode(...new Uint8Array(8 * ms).fill(0xff)));
/** A pop: 10 ms of a loud tone, one detector block (the audio starts at 100 ms, on a block). */
const pop = () => tonePayload(10);

/** A call to a bot that sends `payloads` 100 ms after `start`; the caller barges in as given. */
function call(
  payloads: string[],
  bargeIn: { afterMs: number; count: number },
): Promise<CallReport> {
  return callLockstepBot(
    {
      protocol: "twilio",
      audio: syntheticCaller({ utterancesMs: [], pauseMs: 4000 }),
      hangUpAtMs: 4000,
      bargeIn: { ...bargeIn, durationMs: 400 },
    },
    (socket, clock) => void sendAfterStart(socket, clock, payloads),
  );
}

Deno.test("a pop after a barge-in is not the bot's answer heard out: the answer is not barged in on", async () => {
  // Talk 100–900 ms (barged in on at 300), silence, a pop at 1,500 ms, silence, its answer at
  // 2,000–3,000 ms: 500 ms after the pop, a spurt of its own.
  const report = await call(
    [tonePayload(800), silence(600), pop(), silence(490), tonePayload(1000)],
    { afterMs: 200, count: 2 },
  );
  assert.deepEqual(report.bargeIns.map((b) => [b.source, b.atMs]), [["injected", 300]]);
});

Deno.test("a pop 200 ms before the bot's talk does not start it: the barge-in comes afterMs into the talk", async () => {
  // Silence, a pop at 1,000 ms, silence, talk 1,200–2,200 ms.
  const report = await call(
    [silence(900), pop(), silence(190), tonePayload(1000)],
    { afterMs: 200, count: 1 },
  );
  assert.deepEqual(report.bargeIns.map((b) => [b.source, b.atMs]), [["injected", 1400]]);
  assert.equal(report.firstAudibleMs, 1200, "the talk's first sound, not the pop's");
});

Deno.test("a lone pop is never barged in on, however soon a barge-in is due", async () => {
  const report = await call([silence(900), pop(), silence(1000)], { afterMs: 0, count: 1 });
  assert.deepEqual(report.bargeIns, []);
  assert.equal(report.firstAudibleMs, null);
});
