// maxDurationMs is "the longest the call may last; the caller hangs up then" (simulate_call.ts,
// README "Test your bot without a phone"). The call ran on to the end of the frame the bound fell
// within, sending that frame after the bound: 1,100 ms for a 1,050 ms bound over Exotel's 100 ms
// frames (up to 199 ms over with Genesys's 200 ms ones), while a hangUpAtMs past the bound, given
// to the same call, ended it at the bound to the millisecond.
// Bot and simulator on one FakeClock over real sockets (tests/_lockstep.ts): exact times.
import assert from "node:assert/strict";
import { callSilentBot } from "./_silent_bot_call.ts";

/** 1 s of silence at 8 kHz. */
const SECOND = { pcm: new Uint8Array(16000), sampleRate: 8000 };

for (const [protocol, frameMs] of [["exotel", 100], ["twilio", 20]] as const) {
  Deno.test(`${protocol}: a call bounded by maxDurationMs ends at it, within a frame (${frameMs} ms)`, async () => {
    const report = await callSilentBot({
      protocol,
      audio: SECOND,
      waitForBotHangUp: true,
      maxDurationMs: 1050,
    });
    assert.equal(report.ended.by, "timeout");
    assert.equal(report.ended.atMs, 1050);
    assert.equal(report.durationMs, 1050);
    assert.equal(report.ended.detail, "the call reached maxDurationMs (1050 ms)");
    // The frame the bound cuts short is not sent: a platform sends whole frames.
    assert.equal(report.callerAudioMs, Math.floor(1050 / frameMs) * frameMs, "whole frames only");
  });
}

Deno.test("a call bounded within a frame ends as one asked to hang up past the bound does", async () => {
  const bounded = await callSilentBot({
    protocol: "exotel",
    audio: SECOND,
    waitForBotHangUp: true,
    maxDurationMs: 1050,
  });
  const hangUpPast = await callSilentBot({
    protocol: "exotel",
    audio: SECOND,
    hangUpAtMs: 1080,
    maxDurationMs: 1050,
  });
  assert.deepEqual(
    [bounded.ended.by, bounded.ended.atMs, bounded.callerAudioMs],
    [hangUpPast.ended.by, hangUpPast.ended.atMs, hangUpPast.callerAudioMs],
  );
});

Deno.test("a keypress due before the bound, within the frame it cuts short, is made", async () => {
  const report = await callSilentBot({
    protocol: "exotel",
    audio: SECOND,
    waitForBotHangUp: true,
    maxDurationMs: 1050,
    dtmf: [{ atMs: 1020, digit: "5" }, { atMs: 1050, digit: "6" }],
  });
  assert.deepEqual(report.dtmf, { sent: 1, unsupported: 0, undetected: 0, afterEnd: 1 });
});

Deno.test("a bound on a frame's end comes with that frame, as before", async () => {
  const report = await callSilentBot({
    protocol: "exotel",
    audio: SECOND,
    waitForBotHangUp: true,
    maxDurationMs: 1000,
  });
  assert.deepEqual([report.ended.by, report.ended.atMs, report.callerAudioMs], [
    "timeout",
    1000,
    1000,
  ]);
});

Deno.test("a keypress due before the bound is made when a hang-up asked past it falls in the same frame", async () => {
  // The bound ends the call first, at 1,050 ms: the press at 1,020 ms came before it, as in the
  // call bounded alone above; the one at 1,050 ms never came.
  const report = await callSilentBot({
    protocol: "exotel",
    audio: SECOND,
    hangUpAtMs: 1080,
    maxDurationMs: 1050,
    dtmf: [{ atMs: 1020, digit: "5" }, { atMs: 1050, digit: "6" }],
  });
  assert.deepEqual([report.ended.by, report.ended.atMs], ["timeout", 1050]);
  assert.deepEqual(report.dtmf, { sent: 1, unsupported: 0, undetected: 0, afterEnd: 1 });
});
