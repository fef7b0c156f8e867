// A call whose WebSocket never opened ended "by error at 0.00 s": report times count from the
// socket's opening, and there was none, so a caller that waited out a 5 s connect timeout read
// as one refused at once, and the text said neither that the call never connected nor how long
// the caller waited. The ending is now dated when the caller gave up, timed from its attempt
// (the JSON's `ended.atMs` and `durationMs`), and the text report's header says it never
// connected. The socket: an in-memory one left connecting for good (a server that never answers
// the upgrade, RFC 6455 §4.1: the client waits for the 101), the time a FakeClock's.
import assert from "node:assert/strict";
import {
  aggregateReports,
  formatReport,
  simulateCall,
  type SimulateCallOptions,
} from "../../src/simulator/mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/** A raw call to a socket that never opens, run to its report with `drive` moving the clock. */
async function callNeverAnswered(
  options: Partial<SimulateCallOptions>,
  drive: (clock: FakeClock) => Promise<void>,
) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair({ connecting: true });
  const call = simulateCall("ws://bot.invalid/", {
    protocol: "raw",
    clock,
    connect: () => pair.client,
    ...options,
  });
  await drive(clock);
  return await call;
}

Deno.test("a connect timeout is dated when the caller gave up, and the report says it never connected", async () => {
  const report = await callNeverAnswered(
    { connectTimeoutMs: 5000 },
    (clock) => clock.tick(5000),
  );
  assert.equal(report.connectMs, null);
  assert.deepEqual([report.ended.by, report.ended.atMs, report.durationMs], ["error", 5000, 5000]);
  assert.equal(
    formatReport(report).split("\n")[0],
    "raw call to ws://bot.invalid/: never connected, gave up at 5.00 s " +
      "(the WebSocket did not open within 5000 ms (connectTimeoutMs))",
  );
});

Deno.test("an abort while connecting is dated when it came, not at 0", async () => {
  const abort = new AbortController();
  const report = await callNeverAnswered({ signal: abort.signal }, async (clock) => {
    await clock.tick(1200);
    abort.abort();
    await clock.tick(0);
  });
  assert.equal(report.connectMs, null);
  assert.deepEqual([report.ended.by, report.ended.atMs], ["aborted", 1200]);
  assert.match(formatReport(report), /^raw call to ws:\/\/bot\.invalid\/: aborted at 1\.20 s \(/);
});

Deno.test("the aggregate says how many calls never connected, as each call's header does", async () => {
  const gaveUp = () => callNeverAnswered({ connectTimeoutMs: 5000 }, (clock) => clock.tick(5000));
  const [a, b] = [await gaveUp(), await gaveUp()];
  const all = aggregateReports([a, b]);
  assert.equal(all.neverConnected, 2);
  assert.match(formatReport(all).split("\n")[0]!, /: 2 never connected\b/);
  // One call of three ended by an error once connected: the header tells the two apart.
  const connected = { ...a, connectMs: 12, ended: { ...a.ended, detail: "the bot failed" } };
  const mixed = aggregateReports([a, b, connected]);
  assert.equal(mixed.neverConnected, 2);
  assert.match(
    formatReport(mixed).split("\n")[0]!,
    /: 3 ended by an error \(2 of them never connected\)/,
  );
});
