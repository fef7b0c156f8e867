// `requireAnswer` (the CLI's `--require-answer`) against a bot that hangs up before the caller has
// said everything. The report's utterances were only what the caller said: a bot that closed at
// once (1000, 1005 or a 4xxx code: no error) had "0/0 answered", nothing unanswered, and passed
// the gate that was to prove it answers. What the caller's audio held but never got to say
// because the bot ended the call is now the report's `notReached`, counted as unanswered; a bot
// that says goodbye after answering the caller's last utterance still passes, and a call in which
// the caller said nothing fails (it checked nothing).
//
// The bots are tiny servers on 127.0.0.1 port 0 speaking the simulator's `raw` protocol (binary
// messages are PCM16 mono at 16 kHz both ways, 20 ms a caller frame: the demo page's protocol as
// src/simulator/far_ends/raw_pcm.ts's module doc describes it). The one that hangs up at once is
// the hand-written one of _closing_bot.ts (it always completes the closing handshake, RFC 6455
// §7.1.2, so the code arrives); it needs no time to move, so its calls run on a FakeClock nobody
// ticks. The scripted bot runs with the simulator on one FakeClock over real sockets
// (tests/_lockstep.ts), so that what it heard when it spoke or hung up is exact.
import assert from "node:assert/strict";
import {
  aggregateReports,
  type CallReport,
  formatReport,
  judgeCall,
  simulateCall,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { serveClosingBot } from "./_closing_bot.ts";
import { callLockstepBot, callSilentBot, twoUtterances } from "./_silent_bot_call.ts";

/** The raw far end's rate, and its PCM16 bytes per ms. */
const RATE = 16000;
const BYTES_PER_MS = (RATE * 2) / 1000;

/** One call to a bot that hangs up at once, on a clock nobody moves: it ends on the bot's close. */
async function callClosingBot(
  bot: { port: number; close(): Promise<void> },
  audio = twoUtterances(),
): Promise<CallReport> {
  try {
    return await simulateCall(`ws://127.0.0.1:${bot.port}/`, {
      protocol: "raw",
      audio,
      clock: new FakeClock(),
    });
  } finally {
    await bot.close();
  }
}

for (
  const [code, serve] of [
    [1000, () => serveClosingBot(1000, "bye")],
    [1005, () => serveClosingBot(undefined)],
    [4000, () => serveClosingBot(4000, "not today")],
  ] as const
) {
  Deno.test(`requireAnswer fails a bot that closes at once with ${code}: the caller's utterances were not reached`, async () => {
    const report = await callClosingBot(serve());
    assert.equal(report.ended.by, "bot", report.ended.detail);
    assert.equal(report.ended.code, code);
    assert.equal(report.ended.atMs, 0);
    assert.deepEqual(report.utterances, [], "the caller said nothing before the bot hung up");
    assert.deepEqual(report.notReached, {
      audioMs: 0,
      utterances: [{ startMs: 300, endMs: 700 }, { startMs: 1000, endMs: 1400 }],
    });
    // A clean close is no failure of its own: the gate is what catches it.
    assert.deepEqual(judgeCall(report), { passed: true, failures: [] });
    assert.deepEqual(judgeCall(report, { requireAnswer: true }), {
      passed: false,
      failures: [{
        reason: "unanswered",
        detail: "the bot answered 0 of the caller's 2 utterances (#1–#2 not reached: the bot " +
          "hung up at 0.00 s), and requireAnswer wants every one answered",
      }],
    });
    const text = formatReport(report).split("\n");
    assert.ok(
      text.includes(
        "  responses        0/2 answered, 2 not reached: the bot hung up at 0.00 s · —",
      ),
      text.join("\n"),
    );
    assert.ok(text.includes("    #1 not reached: 0.30 s–0.70 s of the caller's audio"));
    assert.ok(text.includes("    #2 not reached: 1.00 s–1.40 s of the caller's audio"));
  });
}

Deno.test("the utterances a bot that closes at once left unsaid are found by the detector where no segments are given", async () => {
  // Pauses longer than the caller detector's 500 ms hangover, so the two are two utterances.
  const { pcm, sampleRate } = syntheticCaller({ utterancesMs: [400, 400], pauseMs: 600 });
  const report = await callClosingBot(serveClosingBot(1000, "bye"), { pcm, sampleRate });
  const unsaid = report.notReached?.utterances;
  assert.ok(unsaid, JSON.stringify(report.notReached));
  assert.equal(unsaid.length, 2, JSON.stringify(unsaid));
  // To the detector's 10 ms blocks and the voice's 5 ms fades.
  for (const [i, segment] of [[600, 1000], [1600, 2000]].entries()) {
    assert.ok(Math.abs(unsaid[i]!.startMs - segment[0]!) <= 20, JSON.stringify(unsaid));
    assert.ok(Math.abs(unsaid[i]!.endMs - segment[1]!) <= 20, JSON.stringify(unsaid));
  }
  assert.equal(judgeCall(report, { requireAnswer: true }).passed, false);
});

Deno.test("requireAnswer fails a bot that closes at once on a caller stream whose rest is not known", async () => {
  const { pcm, sampleRate } = twoUtterances();
  const stream = ReadableStream.from([pcm as Uint8Array]);
  const report = await callClosingBot(serveClosingBot(1000, "bye"), { pcm: stream, sampleRate });
  assert.deepEqual(report.notReached, { audioMs: 0, utterances: null });
  assert.deepEqual(judgeCall(report, { requireAnswer: true }).failures, [{
    reason: "unanswered",
    detail: "the bot answered 0 of the caller's 0 utterances (the rest not known: the bot hung " +
      "up at 0.00 s, before the caller's audio stream ended (give its speechSegments to have it " +
      "counted)), and requireAnswer wants every one answered",
  }]);
});

/** 440 Hz at a speaking level: PCM16 mono at 16 kHz. */
function tone(ms: number): Uint8Array {
  const samples = new Int16Array(ms * (RATE / 1000));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / RATE));
  }
  return new Uint8Array(samples.buffer);
}

/**
 * A raw-PCM bot that counts the caller's audio it has heard (its bytes: 20 ms a frame, sent on
 * the frame's schedule) and, once it has heard `answersAtMs[i]`, answers with 200 ms of tone;
 * once it has heard `hangUpAtMs`, closes the socket with 1000.
 */
function callScriptedBot(
  script: { answersAtMs: number[]; hangUpAtMs: number },
  audio: ReturnType<typeof syntheticCaller>,
): Promise<CallReport> {
  return callLockstepBot({ protocol: "raw", audio }, (socket) => {
    const answers = [...script.answersAtMs];
    let heardMs = 0;
    socket.addEventListener("message", (event: MessageEvent) => {
      if (!(event.data instanceof ArrayBuffer) || socket.readyState !== 1) return;
      heardMs += event.data.byteLength / BYTES_PER_MS;
      while (answers.length > 0 && heardMs >= answers[0]!) {
        answers.shift();
        socket.send(tone(200));
      }
      if (heardMs >= script.hangUpAtMs) socket.close(1000, "goodbye");
    });
  });
}

Deno.test("requireAnswer passes a bot that answers every utterance, then says goodbye and hangs up before the audio's end", async () => {
  // Utterances at 600–1000 and 1600–2000 ms of 2.6 s of audio; answers at 1.2 s and 2.2 s (their
  // tones played by 1.4 s and 2.4 s); the hang-up at 2.5 s, in the silence after the last one.
  const report = await callScriptedBot(
    { answersAtMs: [1200, 2200], hangUpAtMs: 2500 },
    syntheticCaller({ utterancesMs: [400, 400], pauseMs: 600 }),
  );
  assert.equal(report.ended.by, "bot", report.ended.detail);
  assert.equal(report.ended.code, 1000);
  assert.deepEqual(report.utterances.map((u) => u.latencyMs), [200, 200]);
  // The bot cut the audio short, but nothing the caller had still to say.
  assert.deepEqual(report.notReached, { audioMs: 2500, utterances: [] });
  assert.deepEqual(judgeCall(report, { requireAnswer: true }), { passed: true, failures: [] });
  assert.match(formatReport(report), /\n {2}responses {8}2\/2 answered · p50 200 ms/);
});

Deno.test("requireAnswer fails a bot that answers the first utterance and hangs up in the middle of the second, naming it", async () => {
  // Utterances at 600–1000, 1600–2000 and 2600–3000 ms; the answer to the first at 1.2 s; the
  // hang-up at 1.8 s, with the caller halfway through the second and the third still to come.
  const report = await callScriptedBot(
    { answersAtMs: [1200], hangUpAtMs: 1800 },
    syntheticCaller({ utterancesMs: [400, 400, 400], pauseMs: 600 }),
  );
  assert.equal(report.ended.by, "bot", report.ended.detail);
  assert.equal(report.ended.atMs, 1800);
  assert.deepEqual(
    report.utterances.map((u) => [u.startMs, u.endMs, u.latencyMs]),
    [[600, 1000, 200], [1600, 1800, null]],
  );
  assert.deepEqual(report.notReached, {
    audioMs: 1800,
    utterances: [{ startMs: 2600, endMs: 3000 }],
  });
  assert.deepEqual(judgeCall(report, { requireAnswer: true }).failures, [{
    reason: "unanswered",
    detail: "the bot answered 1 of the caller's 3 utterances (#2 unanswered; #3 not reached: the " +
      "bot hung up at 1.80 s), and requireAnswer wants every one answered",
  }]);
  const text = formatReport(report).split("\n");
  assert.ok(
    text.some((line) =>
      line.startsWith("  responses        1/3 answered, 1 not reached: the bot hung up at 1.80 s")
    ),
    text.join("\n"),
  );
  assert.ok(text.includes("    #3 not reached: 2.60 s–3.00 s of the caller's audio"));
});

Deno.test("requireAnswer fails a call in which the caller said nothing: it checked nothing", async () => {
  // 600 ms of silence to a bot that never speaks: the caller hangs up 300 ms after its audio.
  const silence = { pcm: new Uint8Array(600 * BYTES_PER_MS), sampleRate: RATE };
  const report = await callSilentBot({ protocol: "raw", audio: silence, lingerMs: 300 });
  assert.equal(report.ended.by, "caller");
  assert.deepEqual(report.utterances, []);
  assert.equal(report.notReached, null, "the caller hung up: nothing the bot left unsaid");
  assert.deepEqual(judgeCall(report), { passed: true, failures: [] });
  assert.deepEqual(judgeCall(report, { requireAnswer: true }).failures, [{
    reason: "unanswered",
    detail: "the caller said no utterance (none louder than speechThresholdDbfs or in " +
      "speechSegments before the call ended): with nothing to answer the call checked " +
      "nothing, and requireAnswer passes no call that checked nothing",
  }]);
});

Deno.test("the aggregate counts the utterances the bots' endings left unsaid as unanswered", async () => {
  const closed = await callClosingBot(serveClosingBot(1000, "bye"));
  const reports = [closed, closed].map((r) => ({
    verdict: judgeCall(r, { requireAnswer: true }),
    ...r,
  }));
  const total = aggregateReports(reports);
  assert.equal(total.utterances, 4);
  assert.equal(total.unanswered, 4);
  assert.equal(total.notReached, 4);
  assert.equal(total.notReachedUnknown, 0);
  assert.deepEqual(total.verdict.failures.map((f) => [f.reason, f.calls]), [["unanswered", 2]]);
  assert.match(
    formatReport(total),
    /\n {2}responses {8}0\/4 answered, 4 not reached: the bot hung up first · —\n/,
  );
});
