// The CLI's progress line is as current as the call at each update. It printed a snapshot each call
// pushed once per second of the call (onProgress's default interval) four times a second, so it
// said "heard 0.0 s" with the bot's answer already playing for up to a second. Bot, simulated
// caller and the line on one FakeClock over real sockets (tests/_lockstep.ts): the bot's answer
// starts at a known instant, and each update's "heard" is checked against the time since.
import assert from "node:assert/strict";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { FLAG_NAMES } from "../../src/simulator/_gate_names.ts";
import { ProgressLine } from "../../src/simulator/_progress_line.ts";
import { simulateCallNaming } from "../../src/simulator/_simulate_call.ts";
import { syntheticCaller } from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { Lockstep } from "../_lockstep.ts";
import { serveBot } from "./_bot.ts";

/** The bot's answer: 1 s of tone, begun 500 ms after the caller's one utterance. */
const ANSWER_MS = 1000;

Deno.test("each update of the progress line says what the caller has heard by then", async () => {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const bot = serveBot({
    clock,
    serializer: () => new TwilioSerializer(),
    answerMs: ANSWER_MS,
    onSession: (t) => lockstep.register(t),
  });
  const updates: { atMs: number; line: string }[] = [];
  const line = new ProgressLine({
    clock,
    calls: 1,
    intervalMs: 250,
    write: (text) => updates.push({ atMs: clock.now(), line: text }),
  });
  try {
    const report = await lockstep.run(
      simulateCallNaming(
        bot.url,
        {
          protocol: "twilio",
          audio: syntheticCaller({ utterancesMs: [400], pauseMs: 300 }),
          hangUpAtMs: 2600,
          clock,
          connect: lockstep.connectCaller,
        },
        FLAG_NAMES,
        (read) => line.watch(0, read),
      ),
    );
    line.ended(0);
    assert.equal(report.audio.playedMs, ANSWER_MS, "the whole answer was heard");
  } finally {
    line.stop();
    await bot.close();
  }
  const answerAt = bot.sessions[0]!.answers[0]!.atMs;
  const during = updates.filter((u) => u.atMs > answerAt && u.atMs < answerAt + ANSWER_MS);
  assert.ok(during.length >= 3, `updates while the answer played: ${during.length}`);
  for (const { atMs, line } of updates) {
    const heard = Number(/bot audio played (\d+\.\d) s/.exec(line)?.[1] ?? "0");
    const truth = Math.min(ANSWER_MS, Math.max(0, atMs - answerAt)) / 1000;
    // A tenth: the line's one decimal, and the caller's last frame (20 ms) the figures are as of.
    assert.ok(
      Math.abs(heard - truth) <= 0.1,
      `at ${atMs} ms, ${atMs - answerAt} ms into the answer: "${line}" (heard ${truth} s)`,
    );
  }
});

// "said 12.0 s · heard 3.0 s" beside "1 utterance": the figures are audio, the caller's silences
// and the bot's counted with their words (the caller's audio sent, the bot's played), and the
// labels claimed speech. Labelled as what they count, as the report names the bot's.
Deno.test("the line labels its figures as the audio they count, not as speech", () => {
  const clock = new FakeClock();
  const line = new ProgressLine({ clock, calls: 1, intervalMs: 250, write: () => {} });
  try {
    line.watch(0, () => ({
      atMs: 12_000,
      callerAudioMs: 12_000,
      heardMs: 3000,
      utterances: 1,
      botSpeaking: false,
      violations: 0,
      marksAcked: 0,
    }));
    assert.match(
      line.line(),
      /^0\.0 s · caller audio sent 12\.0 s · bot audio played 3\.0 s · 1 utterance · /,
    );
    assert.doesNotMatch(line.line(), /said|heard/);
  } finally {
    line.stop();
  }
});

Deno.test("the line counts in the singular for one", () => {
  const clock = new FakeClock();
  const line = new ProgressLine({ clock, calls: 1, intervalMs: 250, write: () => {} });
  try {
    line.watch(0, () => ({
      atMs: 0,
      callerAudioMs: 1000,
      heardMs: 0,
      utterances: 1,
      botSpeaking: false,
      violations: 1,
      marksAcked: 1,
    }));
    assert.match(line.line(), / · 1 utterance · bot quiet · 1 mark · 1 violation$/);
  } finally {
    line.stop();
  }
});

Deno.test("with several calls, one that ended is no longer live nor speaking; its violations count", () => {
  const clock = new FakeClock();
  const line = new ProgressLine({ clock, calls: 2, intervalMs: 250, write: () => {} });
  try {
    const speaking = {
      atMs: 0,
      callerAudioMs: 0,
      heardMs: 0,
      utterances: 0,
      botSpeaking: true,
      violations: 1,
      marksAcked: 0,
    };
    line.watch(0, () => speaking);
    line.watch(1, () => ({ ...speaking, violations: 0 }));
    line.ended(0);
    assert.match(line.line(), / · 2 calls: 1 live, 1 ended · bot speaking in 1 · 1 violation$/);
  } finally {
    line.stop();
  }
});

Deno.test("with calls started one after another (--ramp), one not started yet is waiting, not live", () => {
  const clock = new FakeClock();
  const line = new ProgressLine({ clock, calls: 3, intervalMs: 250, write: () => {} });
  try {
    const quiet = {
      atMs: 0,
      callerAudioMs: 0,
      heardMs: 0,
      utterances: 0,
      botSpeaking: false,
      violations: 0,
      marksAcked: 0,
    };
    line.watch(0, () => quiet);
    assert.match(line.line(), / · 3 calls: 2 waiting, 1 live, 0 ended · /);
    line.watch(1, () => quiet);
    line.ended(0);
    assert.match(line.line(), / · 3 calls: 1 waiting, 1 live, 1 ended · /);
    line.watch(2, () => quiet);
    assert.match(line.line(), / · 3 calls: 2 live, 1 ended · /);
  } finally {
    line.stop();
  }
});
