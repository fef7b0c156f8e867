// A bot's answer, as the call's report dates it, is sound, not a DC offset or a click: a bot whose
// "silence" was μ-law zero bytes (0x00 decodes to -32124, ITU-T G.711 table 2a) was heard talking
// from its first byte, so the caller's utterance began over it and its answer was never found;
// a 10 ms click 300 ms after the caller's last word was taken for the answer, 500 ms before the
// bot said anything. The bot is a Twilio Media Streams peer (Twilio Docs, "Media Streams -
// WebSocket Messages", "Send messages back to Twilio": `media.payload`, base64 μ-law 8 kHz) that
// sends its whole answer 100 ms after `start`, played in order; bot and simulator on one
// FakeClock over real sockets (./_silent_bot_call.ts): exact times. The caller says one
// utterance, 300–700 ms of its audio, its segment known.
import assert from "node:assert/strict";
import { type CallReport, judgeCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { callLockstepBot } from "./_silent_bot_call.ts";
import { sendAfterStart, tonePayload } from "./_twilio_talking_bot.ts";

/** `ms` of μ-law bytes `byte`, base64. */
const bytesPayload = (ms: number, byte: number) =>
  btoa(String.fromCharCode(...new Uint8Array(8 * ms).fill(byte)));

/** A call to a bot that sends `payloads` (base64 μ-law) as `media` 100 ms after `start`. */
function callBotSending(payloads: string[]): Promise<CallReport> {
  return callLockstepBot(
    {
      protocol: "twilio",
      audio: syntheticCaller({ utterancesMs: [400], pauseMs: 300 }),
      maxDurationMs: 2600,
    },
    (socket, clock) => void sendAfterStart(socket, clock, payloads),
  );
}

function answer(report: CallReport) {
  const [utterance, ...more] = report.utterances;
  assert.equal(more.length, 0);
  assert.deepEqual([utterance!.startMs, utterance!.endMs], [300, 700]);
  return {
    firstAudibleMs: report.firstAudibleMs,
    responseStartMs: utterance!.responseStartMs,
    latencyMs: utterance!.latencyMs,
    unanswered: judgeCall(report, { requireAnswer: true }).failures
      .some((f) => f.reason === "unanswered"),
  };
}

Deno.test("a bot's silence of μ-law zero bytes is not heard as talk: its answer is found", async () => {
  // Zero bytes 100–1,500 ms, its answer (a tone) 1,500–2,000 ms, zero bytes to 2,500 ms.
  const report = await callBotSending([
    bytesPayload(1400, 0x00),
    tonePayload(500),
    bytesPayload(500, 0x00),
  ]);
  assert.deepEqual(answer(report), {
    firstAudibleMs: 1500,
    responseStartMs: 1500,
    latencyMs: 800,
    unanswered: false,
  });
});

Deno.test("a click after the caller's last word is not the bot's answer", async () => {
  // μ-law silence (0xff) 100–1,000 ms, a 10 ms click, silence to 1,500 ms, its answer to 2,000.
  const report = await callBotSending([
    bytesPayload(900, 0xff),
    tonePayload(10),
    bytesPayload(490, 0xff),
    tonePayload(500),
  ]);
  assert.deepEqual(answer(report), {
    firstAudibleMs: 1500,
    responseStartMs: 1500,
    latencyMs: 800,
    unanswered: false,
  });
});
