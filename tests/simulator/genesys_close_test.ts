// The Genesys far end's close transaction against a bot that closes the socket itself. In
// AudioHook the client closes the socket: it ends with `close` and waits up to 10 s for `closed`
// (also after the server's `disconnect`). A server that closes the socket first cuts that short,
// and the client does not wait on: Genesys's reference client
// (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/client/clientsessionimpl.ts:
// `onWsClose` warns "WebSocket closed unexpectedly in state CLOSING" and `handleCloseCleanup`
// cancels the close timer; `initiateClose` skips the transaction on a socket no longer open).
// Genesys's own protocol pages (developer.genesys.cloud "AudioHook protocol") were not in the
// searchable docs; the reference client is the source here. The simulator used to wait the whole
// 10 s for a `closed` that could no longer come, then report a close timeout.
//
// A hand-written bot on one FakeClock over real sockets (_audiohook_bot.ts), so that when it
// closes is exact: at Genesys's `close` it answers `closed`, closes the socket instead, or says
// nothing.
import assert from "node:assert/strict";
import { callAudioHookBot as call } from "./_audiohook_bot.ts";

Deno.test("simulateCall as genesys ends at once when the bot closes the socket instead of answering close with closed", async () => {
  const { report, lingeredMs } = await call({ disconnectAfterMs: 1000, onClose: "close-socket" });
  assert.equal(report.ended.by, "bot");
  assert.equal(report.ended.atMs, 1000);
  assert.match(report.ended.detail, /^disconnect \(completed\)/);
  // Not the 10 s of the close transaction's timeout: the socket is gone, nothing can answer.
  assert.ok(lingeredMs < 500, `the call went on ${lingeredMs} ms after its end`);
  assert.deepEqual(report.violations.map((v) => v.rule), ["genesys.closed-early"]);
  assert.equal(
    report.violations[0]!.detail,
    'the bot closed the WebSocket (1000 bot hung up) while Genesys waited for "closed" to its ' +
      '"close"',
  );
});

Deno.test("simulateCall as genesys names a bot that closes the socket right after its disconnect", async () => {
  // Whether the close arrives before the far end has sent its `close` or while it waits for
  // `closed` is the sockets' timing: either way the bot skipped the close transaction.
  const { report, lingeredMs } = await call({
    disconnectAfterMs: 1000,
    closeAfterDisconnect: true,
    onClose: "ignore",
  });
  assert.equal(report.ended.by, "bot");
  assert.match(report.ended.detail, /^disconnect \(completed\)/);
  assert.ok(lingeredMs < 500, `the call went on ${lingeredMs} ms after its end`);
  assert.deepEqual(report.violations.map((v) => v.rule), ["genesys.closed-early"]);
  assert.match(report.violations[0]!.detail, /^the bot closed the WebSocket \(1000 bot hung up\)/);
});

Deno.test("simulateCall as genesys ends at once when the bot closes the socket at the caller's close", async () => {
  // The caller hangs up (`close` with reason `end`) and the bot drops the socket unanswered.
  const { report, lingeredMs } = await call({ onClose: "close-socket" });
  assert.equal(report.ended.by, "caller");
  assert.ok(lingeredMs < 500, `the call went on ${lingeredMs} ms after its end`);
  assert.deepEqual(report.violations.map((v) => v.rule), ["genesys.closed-early"]);
  assert.match(report.violations[0]!.detail, /^the bot closed the WebSocket \(1000 bot hung up\)/);
});

Deno.test("simulateCall as genesys still waits its 10 s for a closed that never comes while the socket stays open", async () => {
  // The caller's own close after the timeout is no early close of the bot's.
  const { report, lingeredMs } = await call({ onClose: "ignore" });
  assert.equal(report.ended.by, "caller");
  assert.ok(lingeredMs >= 10_000 && lingeredMs < 11_000, `went on ${lingeredMs} ms`);
  assert.deepEqual(report.violations.map((v) => v.rule), ["genesys.close-timeout"]);
});

Deno.test("simulateCall as genesys reports nothing for a bot that answers close with closed", async () => {
  const { report, lingeredMs } = await call({ disconnectAfterMs: 1000, onClose: "closed" });
  assert.equal(report.ended.by, "bot");
  assert.ok(lingeredMs < 500, `the call went on ${lingeredMs} ms after its end`);
  assert.deepEqual(report.violations, []);
});
