// Counts in the CLI's and the report's text are singular for one: it said "1 utterances",
// "1 chunks", "1 calls (twilio)", "in 1 calls", the --require-answer gate "the caller's 1
// utterances", a far end "a binary message of 1 bytes". One helper (_counted.ts) says them all.
// Real calls, bot and simulator on one FakeClock (tests/_lockstep.ts), a report's figures then
// set to one where the call had none; far ends driven by hand.
import assert from "node:assert/strict";
import { counted } from "../../src/simulator/_counted.ts";
import { FAR_ENDS } from "../../src/simulator/far_ends.ts";
import {
  aggregateReports,
  type CallReport,
  formatReport,
  judgeCall,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { callLockstepBot, callSilentBot } from "./_silent_bot_call.ts";
import { farEndContext } from "./far_ends/_context.ts";

Deno.test("counted: singular for exactly one, the plural otherwise", () => {
  assert.equal(counted(1, "utterance"), "1 utterance");
  assert.equal(counted(0, "utterance"), "0 utterances");
  assert.equal(counted(2, "call"), "2 calls");
  assert.equal(counted(1.5, "chunk"), "1.5 chunks");
  assert.equal(counted(3, "body", "bodies"), "3 bodies");
  assert.equal(counted(1, "body", "bodies"), "1 body");
});

/** 1 s of silence at 8 kHz. */
const SECOND = { pcm: new Uint8Array(16000), sampleRate: 8000 };

/** A Twilio call to a silent bot, then given one of what the text counts. */
async function oneOfEach(): Promise<CallReport> {
  const report = await callSilentBot({ protocol: "twilio", audio: SECOND, hangUpAtMs: 500 });
  return {
    ...report,
    audio: { ...report.audio, chunks: 1 },
    violations: [{ rule: "twilio.unknown-event", count: 1, firstAtMs: 100, detail: "x" }],
    transportUnderruns: { underruns: 1, underrunMs: 40 },
  };
}

Deno.test("a call's report: 1 chunk", async () => {
  const text = formatReport(await oneOfEach());
  assert.match(text, / · 1 chunk$/m);
});

Deno.test("an aggregate of one call: 1 call, in 1 call", async () => {
  const text = formatReport(aggregateReports([await oneOfEach()]));
  assert.match(text, /^1 call \(twilio\): 1 ended by caller$/m);
  assert.match(text, /twilio\.unknown-event ×1 in 1 call: x$/m);
  assert.match(text, /by the bot's transport 1, 40 ms in 1 call\)/);
});

Deno.test("at max speed: not measured (1 utterance)", async () => {
  // One utterance, 300–700 ms of 1 s; at max speed it goes out at once, and the bot says nothing.
  const report = await callLockstepBot({
    protocol: "twilio",
    audio: syntheticCaller({ utterancesMs: [400], pauseMs: 300 }),
    speed: Infinity,
    lingerMs: 100,
  });
  assert.equal(report.utterances.length, 1);
  assert.match(formatReport(report), /not measured at max speed \(1 utterance\)/);
});

Deno.test("--require-answer's reason: the caller's 1 utterance", async () => {
  const report = await callLockstepBot({
    protocol: "twilio",
    audio: syntheticCaller({ utterancesMs: [400], pauseMs: 300 }),
    lingerMs: 500,
  });
  const verdict = judgeCall(report, { requireAnswer: true });
  const unanswered = verdict.failures.find((f) => f.reason === "unanswered");
  assert.match(unanswered?.detail ?? "", /^the bot answered 0 of the caller's 1 utterance \(/);
});

/** The far end of `protocol`, opened by hand; the details of the rules the bot broke. */
function farEnd(protocol: string): { receive(data: string | Uint8Array): void; details: string[] } {
  const details: string[] = [];
  const end = FAR_ENDS[protocol]!({ streamId: "s1" });
  end.open(farEndContext({ violation: (rule, detail) => details.push(`${rule}: ${detail}`) }));
  return { receive: (data) => end.receive(data), details };
}

Deno.test("a far end's violation: a binary message of 1 byte", () => {
  const twilio = farEnd("twilio");
  twilio.receive(new Uint8Array(1));
  assert.deepEqual(twilio.details, [
    "twilio.binary-message: a binary message of 1 byte; twilio takes JSON text only",
  ]);
});

Deno.test("a far end's violation: the last 1 byte dropped", () => {
  // Asterisk's μ-law frame is 160 bytes (20 ms at 8 kHz): one more is a byte over.
  const asterisk = farEnd("asterisk");
  asterisk.receive(new Uint8Array(161));
  assert.equal(asterisk.details.length, 1);
  assert.match(asterisk.details[0]!, /: the last 1 byte dropped$/);
});
