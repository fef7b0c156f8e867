import assert from "node:assert/strict";
import { StartGate } from "./_start_gate.ts";

Deno.test("StartGate lets every party go at one time, set after the last arrival", async () => {
  const gate = new StartGate(3, { leadMs: 50 });
  const first = gate.arrive();
  const second = gate.arrive();
  let settled = false;
  first.then(() => settled = true);
  await Promise.resolve();
  assert.equal(settled, false, "two of three have arrived: nobody goes yet");
  const before = Date.now();
  const third = gate.arrive();
  const [a, b, c] = await Promise.all([first, second, third]);
  assert.equal(a, b);
  assert.equal(b, c);
  assert.ok(a >= before + 50, `start ${a} is at least the lead after the last arrival ${before}`);
});

Deno.test("StartGate rejects the waiters when the others do not come in time", async () => {
  const gate = new StartGate(2, { timeoutMs: 20 });
  await assert.rejects(gate.arrive(), /start gate: 1 of 2 arrived in 20 ms/);
});

Deno.test("StartGate takes a whole number of parties", () => {
  assert.throws(() => new StartGate(0), RangeError);
  assert.throws(() => new StartGate(1.5), RangeError);
});
