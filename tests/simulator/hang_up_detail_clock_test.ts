// The ending's detail of a caller that hung up as asked says the moment on the report's clock and
// in its unit: the header said "ended by caller at 5.01 s (the caller hung up at 5000 ms as
// asked)", the time of the caller's audio (hangUpAtMs) in ms beside the call's time in seconds,
// two numbers a reader compares that disagree. The report's moments are all call time in seconds
// (the header, the utterances, the barge-ins, "1 left unsaid: the caller hung up at 0.80 s, as
// asked"), so the detail is too, in the same words as the left-unsaid note. At speed 2 the
// caller's 500 ms of audio go out in 250 ms of the call: the two clocks differ by half.
// Bot and simulator on one FakeClock over real sockets (tests/_lockstep.ts): exact times.
import assert from "node:assert/strict";
import { FLAG_NAMES } from "../../src/simulator/_gate_names.ts";
import { formatReport } from "../../src/simulator/mod.ts";
import { callSilentBot } from "./_silent_bot_call.ts";

/** 1 s of silence at 8 kHz. */
const SECOND = { pcm: new Uint8Array(16000), sampleRate: 8000 };

for (const [who, names] of [["simulateCall", undefined], ["the CLI", FLAG_NAMES]] as const) {
  Deno.test(`${who}: a hang-up as asked is said at the call's time, in seconds`, async () => {
    const report = await callSilentBot(
      { protocol: "exotel", audio: SECOND, hangUpAtMs: 500, speed: 2 },
      names,
    );
    assert.equal(report.ended.atMs, 250);
    assert.equal(report.ended.detail, "the caller hung up at 0.25 s, as asked");
    assert.match(
      formatReport(report),
      /: ended by caller at 0\.25 s \(the caller hung up at 0\.25 s, as asked\)$/m,
    );
  });
}
