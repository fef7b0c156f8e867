// A server must answer each `ping` with a `pong` (AudioHook protocol). Genesys's reference client
// (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/client/clientsessionimpl.ts,
// `sendPing`) looks for the pong when its next ping is due, every 5 s: a ping still unanswered
// then is `signalFatalError(408, 'Timeout waiting for pong')`, an `error` message and its close
// transaction with reason `error`. The simulated Genesys only reported the missing pong, every
// 5 s, and the call went on as though the session were fine: the report went on to judge replies
// a live caller would never have heard.
import assert from "node:assert/strict";
import { openAudioHookSession } from "./_audiohook_session.ts";

Deno.test("Genesys ends the session with error 408 when a ping is still unanswered as the next falls due", async () => {
  const { farEnd, clock, sent, rules, ended, server } = openAudioHookSession();
  server("opened", { parameters: { media: [] } });
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
