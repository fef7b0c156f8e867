// A far end of one's own whose callbacks throw. "The promise rejects only for bad options"
// (simulate_call.ts): a broken far end is reported like a broken bot, as `<protocol>.<where>`,
// and the call still ends with its socket closed.
// - hangUp, throwing rather than rejecting: simulateCall rejected with its error and the caller's
//   socket was never closed; a rejected hang-up was already reported.
// - a mark's `ack`, answered from the playout timer: a throw there rejected a promise nobody
//   held (an unhandled rejection ends a Deno process).
// - socketClosed, run from the socket's close listener: an uncaught error.
import assert from "node:assert/strict";
import { type CallReport, simulateCall } from "../../src/simulator/mod.ts";
import type { FarEndFactory } from "../../src/simulator/far_end.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { rawChangedOnOpen as rawWith } from "./_raw_far_end.ts";

async function run(
  protocol: FarEndFactory,
  bot: (pair: MemorySocketPair, clock: FakeClock) => void = () => {},
  hangUpAtMs = 1_000,
): Promise<CallReport> {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  let report: CallReport | undefined;
  let error: unknown;
  simulateCall("ws://bot.invalid/", {
    protocol,
    clock,
    connect: () => pair.client,
    hangUpAtMs,
  }).then((r) => (report = r), (e) => (error = e));
  await clock.tick(10);
  bot(pair, clock);
  for (let t = 10; t < 5_000 && report === undefined && error === undefined; t += 10) {
    await clock.tick(10);
  }
  assert.equal(error, undefined, `simulateCall rejected: ${error}`);
  assert.ok(report, "the call ended");
  assert.equal(pair.client.readyState, 3, "the caller's socket is closed");
  return report;
}

for (const how of ["throws", "rejects"] as const) {
  Deno.test(`a far end whose hangUp ${how} is reported, and the socket still closed`, async () => {
    const protocol = rawWith((farEnd) => {
      farEnd.hangUp = how === "throws"
        ? () => {
          throw new Error("boom");
        }
        : () => Promise.reject(new Error("boom"));
    });
    const report = await run(protocol, undefined, 100);
    assert.equal(report.ended.by, "caller");
    assert.deepEqual(report.violations.map((v) => [v.rule, v.detail]), [["raw.hang-up", "boom"]]);
  });
}

Deno.test("a mark answer that throws from the playout timer is reported, and the call goes on", async () => {
  const protocol = rawWith((farEnd, context) => {
    const receive = farEnd.receive.bind(farEnd);
    farEnd.receive = (data) => {
      if (data !== "mark") return receive(data);
      context.mark("m", "drop", () => {
        throw new Error("boom");
      });
    };
  });
  const report = await run(protocol, (pair) => {
    // 200 ms of audio, then a mark the far end answers from its timer once that has played.
    pair.server.send(new Uint8Array(6_400));
    pair.server.send("mark");
  });
  assert.equal(report.ended.by, "caller");
  assert.deepEqual(report.violations.map((v) => [v.rule, v.detail]), [["raw.mark", "boom"]]);
  assert.equal(report.marks.acked, 1);
});

Deno.test("a socketClosed that throws is reported, and the call ends as the bot's close", async () => {
  const protocol = rawWith((farEnd) => {
    farEnd.socketClosed = () => {
      throw new Error("boom");
    };
  });
  const report = await run(protocol, (pair, clock) => {
    clock.sleep(300).then(() => pair.server.close(1000, "bye"));
  });
  assert.equal(report.ended.by, "bot");
  assert.deepEqual(report.violations.map((v) => [v.rule, v.detail]), [[
    "raw.socket-closed",
    "boom",
  ]]);
});
