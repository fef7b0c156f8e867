import assert from "node:assert/strict";
import { matchResponses } from "../../src/simulator/_call_report.ts";
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
