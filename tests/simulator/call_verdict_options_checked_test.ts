// `judgeCall`'s gates, given by a library user rather than the CLI's checked flags, refuse what
// cannot judge a call: a bound on underruns that is no number passed every call (`Number` of an
// unset variable is NaN, and nothing is "more than" NaN), one below 0 failed every call (0 ms
// heard "more than -1 allows"), and answers required of a call at speed Infinity failed every
// utterance as unanswered, though no answer is measured there (report.ts) and the CLI refuses
// `--require-answer` with `--speed max`. Without options a call is held to its ending and the
// platform's rules alone. The calls are to a silent raw-PCM bot on 127.0.0.1:0.
import assert from "node:assert/strict";
import { judgeCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { callSilentBot } from "./_silent_bot_call.ts";

const caller = () => syntheticCaller({ utterancesMs: [300], pauseMs: 300 });

Deno.test("`judgeCall` refuses a bound on underruns that is NaN or below 0", async () => {
  const report = await callSilentBot({ protocol: "raw", audio: caller(), hangUpAtMs: 600 });
  assert.equal(report.audio.underrunMs, 0);
  for (const bound of [NaN, -1]) {
    assert.throws(
      () => judgeCall(report, { maxUnderrunTotalMs: bound }),
      (error: unknown) =>
        error instanceof RangeError && error.message.includes(`maxUnderrunTotalMs`) &&
        error.message.includes(`got ${bound}`),
      String(bound),
    );
  }
  assert.deepEqual(judgeCall(report, { maxUnderrunTotalMs: 0 }), { passed: true, failures: [] });
  assert.deepEqual(judgeCall(report), { passed: true, failures: [] }, "no options: no gates");
});

Deno.test("`judgeCall` refuses requireAnswer for a call at speed Infinity, where no answer is measured", async () => {
  const report = await callSilentBot({
    protocol: "raw",
    audio: caller(),
    speed: Infinity,
    lingerMs: 300,
  });
  assert.equal(report.speed, Infinity);
  assert.equal(report.utterances.length, 1);
  assert.throws(
    () => judgeCall(report, { requireAnswer: true }),
    (error: unknown) => error instanceof RangeError && /requireAnswer/.test(error.message),
  );
  assert.deepEqual(judgeCall(report), { passed: true, failures: [] });
});
