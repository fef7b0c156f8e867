import assert from "node:assert/strict";
import { matchResponses, turnStarts } from "../../src/simulator/_call_report.ts";
import type { CallUtterance } from "../../src/simulator/report.ts";

const said = (startMs: number, endMs: number): CallUtterance => ({
  startMs,
  endMs,
  source: "segments",
  responseStartMs: null,
  latencyMs: null,
});
const latencies = (utterances: CallUtterance[]) => utterances.map((u) => u.latencyMs);

Deno.test("`matchResponses` gives each utterance the first bot spurt after it began", () => {
  const utterances = [said(0, 1000), said(3000, 4000)];
  matchResponses(utterances, [{ startMs: 1500 }, { startMs: 2000 }, { startMs: 4700 }]);
  assert.deepEqual(latencies(utterances), [500, 700]);
  assert.deepEqual(utterances.map((u) => u.responseStartMs), [1500, 4700]);
});

Deno.test("`matchResponses` counts a bot that starts before the caller finished as negative", () => {
  const utterances = [said(0, 1000), said(3000, 4000)];
  matchResponses(utterances, [{ startMs: 1200 }, { startMs: 3800 }]);
  assert.deepEqual(latencies(utterances), [200, -200], "the first was answered: an early answer");
});

Deno.test("`matchResponses` gives a bot a turn behind its late answer, not a negative latency", () => {
  // Overloaded: the answer to the first utterance starts while the caller says the second, and
  // the second's answer comes after it.
  const utterances = [said(0, 1000), said(2000, 3000), said(6000, 7000)];
  matchResponses(utterances, [{ startMs: 2500 }, { startMs: 4200 }, { startMs: 9000 }]);
  assert.deepEqual(latencies(utterances), [1500, 1200, 2000]);
  // Nothing after the late answer: the second utterance went unanswered.
  const unanswered = [said(0, 1000), said(2000, 3000)];
  matchResponses(unanswered, [{ startMs: 2500 }]);
  assert.deepEqual(latencies(unanswered), [1500, null]);
});

// Which of the bot's spurts may answer an utterance (`turnStarts`, then `matchResponses`): one
// that begins a turn of the bot's own, not one that goes on with the talk the bot had under way
// when the caller began (across a pause it breaks while the caller still speaks, or one under
// 500 ms). A bot whose previous reply was over when the caller began answers with whatever it
// says next, however soon; a bot that stopped late for the caller, and answers half a second
// after the caller's end, answered.
const spurt = (startMs: number, endMs: number) => ({ startMs, endMs });

/** Each utterance's latency, the bot's spurts matched as the report matches them. */
function turnLatencies(utterances: CallUtterance[], spurts: { startMs: number; endMs: number }[]) {
  matchResponses(utterances, turnStarts(utterances, spurts));
  return utterances.map((u) => u.latencyMs);
}

Deno.test("what a bot talking over the caller says on after a pause answers nothing", () => {
  // The caller speaks 1,000–2,000 ms over the bot, which pauses 1,300–1,600 ms and talks on.
  assert.deepEqual(turnLatencies([said(1000, 2000)], [spurt(0, 1300), spurt(1600, 3000)]), [null]);
  // Its pause of 450 ms ends after the caller's end: still its own sentence going on.
  assert.deepEqual(turnLatencies([said(1000, 2000)], [spurt(0, 1950), spurt(2400, 3000)]), [null]);
  // Its pause runs 500 ms and past the caller's end: it stopped, and this is its answer.
  assert.deepEqual(turnLatencies([said(1000, 2000)], [spurt(0, 1800), spurt(2300, 3000)]), [300]);
});

Deno.test("a bot whose reply was over when the caller began answers with its next words, however soon", () => {
  // Reply to 1,000 ms; the caller says "yes" 1,050–1,300 ms; the answer at 1,400 ms (400 ms gap).
  assert.deepEqual(turnLatencies([said(1050, 1300)], [spurt(0, 1000), spurt(1400, 2000)]), [100]);
  // An echo: it begins while the caller still speaks, the caller having begun in its silence.
  assert.deepEqual(turnLatencies([said(1050, 1300)], [spurt(0, 1000), spurt(1090, 1340)]), [-210]);
});

Deno.test("a bot that stopped just before the caller ended answers 500 ms after its stop", () => {
  assert.deepEqual(turnLatencies([said(1000, 2000)], [spurt(0, 1900), spurt(2400, 3000)]), [400]);
});

Deno.test("the talk a turn-behind bot began over the next utterance goes on: the next spurt is the answer only after a stop", () => {
  // The first utterance's late answer starts at 2,500 ms, over the second (2,000–3,000 ms), and
  // pauses 300 ms at 3,300 ms: what follows is its own sentence, not the second's answer.
  const utterances = [said(0, 1000), said(2000, 3000)];
  assert.deepEqual(
    turnLatencies(utterances, [spurt(2500, 3300), spurt(3600, 4000), spurt(5000, 5500)]),
    [1500, 2000],
  );
});
