// The report keeps the details of 100 rules at most (a far end of one's own may name its rules
// from what the bot sent): a rule past them used to vanish, count and all, so the report said
// fewer violations than the far end had reported. They are counted together under one rule.
import assert from "node:assert/strict";
import { type CallReport, simulateCall } from "../../src/simulator/mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { rawOpenedAs } from "./_raw_far_end.ts";

/** The raw far end, except that it reports `rules` distinct rules as it opens, then hangs up. */
function reporting(rules: number) {
  return rawOpenedAs((context) => {
    for (let i = 0; i < rules; i++) context.violation(`custom.rule-${i}`, `rule ${i}`);
    context.violation(`custom.rule-${rules - 1}`, "again");
    context.endCall("caller", "done");
  });
}

async function call(rules: number): Promise<CallReport> {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  let report: CallReport | undefined;
  void simulateCall("ws://bot.invalid/", {
    protocol: reporting(rules),
    clock,
    connect: () => pair.client,
  }).then((r) => (report = r));
  for (let t = 0; t < 5_000 && report === undefined; t += 10) await clock.tick(10);
  assert.ok(report);
  await clock.tick(20_000);
  return report;
}

Deno.test("violations of more rules than the report details are counted, not lost", async () => {
  const report = await call(130);
  const total = report.violations.reduce((n, v) => n + v.count, 0);
  assert.equal(total, 131, "every violation the far end reported");
  assert.equal(report.violations.length, 101);
  const more = report.violations.at(-1)!;
  assert.equal(more.rule, "simulator.more-rules");
  assert.equal(more.count, 31);
  assert.match(more.detail, /custom\.rule-100: rule 100/);
});

Deno.test("violations of 100 rules are each detailed", async () => {
  const report = await call(100);
  assert.equal(report.violations.length, 100);
  assert.equal(report.violations.at(-1)!.count, 2);
});
