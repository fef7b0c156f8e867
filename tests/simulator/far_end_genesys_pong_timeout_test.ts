// A server must answer each `ping` with a `pong` (AudioHook protocol). Genesys's reference client
// (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/client/clientsessionimpl.ts,
// `sendPing`) looks for the pong when its next ping is due, every 5 s: a ping still unanswered
// then is `signalFatalError(408, 'Timeout waiting for pong')`, an `error` message and its close
// transaction with reason `error`. The simulated Genesys only reported the missing pong, every
// 5 s, and the call went on as though the session were fine: the report went on to judge replies
// a live caller would never have heard.
import assert from "node:assert/strict";
import { GenesysFarEnd } from "../../src/simulator/far_ends/genesys.ts";
import type { EndCallOptions } from "../../src/simulator/far_end.ts";
import { IDLE_CONTEXT } from "../../src/simulator/_idle_context.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";

Deno.test("Genesys ends the session with error 408 when a ping is still unanswered as the next falls due", async () => {
  const clock = new FakeClock();
  const sent: { type: string; seq: number; id: string; parameters: Record<string, unknown> }[] = [];
  const rules: string[] = [];
  const ended: { by: string; reason: string; options: EndCallOptions | undefined }[] = [];
  const farEnd = new GenesysFarEnd({});
  farEnd.open({
    ...IDLE_CONTEXT,
    now: () => clock.now(),
    sleep: (ms) => clock.sleep(ms),
    send: (message) => void sent.push(JSON.parse(message as string)),
    violation: (rule, detail) => void rules.push(`${rule}: ${detail}`),
    endCall: (by, reason, options) => void ended.push({ by, reason, options }),
  });
  farEnd.receive(JSON.stringify({
    version: "2",
    type: "opened",
    seq: 1,
    clientseq: 1,
    id: sent[0]!.id,
    parameters: { media: [] },
  }));
  // The first ping 1 s after `opened`, never answered; the next falls due 5 s later.
  await clock.tick(1000);
  const ping = sent.at(-1)!;
  assert.equal(ping.type, "ping");
  await clock.tick(5000);
  assert.deepEqual(rules, [
    `genesys.pong-timeout: 408: no pong for ping ${ping.seq} within 5000 ms`,
  ]);
  const error = sent.at(-1)!;
  assert.equal(error.type, "error");
  assert.deepEqual(error.parameters, { code: 408, message: "Timeout waiting for pong" });
  assert.deepEqual(ended.map(({ by, options }) => [by, options?.brokenRule]), [
    ["caller", "genesys.pong-timeout"],
  ]);
  // Its close says why.
  const hungUp = farEnd.hangUp();
  assert.deepEqual(sent.at(-1)!.type, "close");
  assert.deepEqual(sent.at(-1)!.parameters, { reason: "error" });
  // Nothing more of the pinger's: no second report, no ping.
  const count = sent.length;
  await clock.tick(10_000);
  await hungUp;
  assert.equal(rules.length, 2, "the close's own timeout is all that follows");
  assert.match(rules[1]!, /^genesys\.close-timeout/);
  assert.equal(sent.length, count);
});
