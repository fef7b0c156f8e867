// Genesys's end of stream is a close transaction: the client sends `close`, the server answers
// `closed`, and the client then closes the socket (Genesys Cloud resource center, "What happens
// during a successful session between Genesys Cloud and your AudioHook server?"; the reference
// client closes on `closed`: purecloudlabs/audiohook-reference-implementation,
// client/clientsessionimpl.ts, onClosedMessage). The transport gives a far end that has ended its
// stream `closeTimeoutMs` to close (tests/stop_unclosed_far_end_test.ts): for Genesys that time
// must start no earlier than our `closed` leaves, or the session would be cut before the client
// could finish the handshake. The client here is the AudioHook client fixture (the reference
// client's behaviour), its `closeTimeoutMs` a second.
import assert from "node:assert/strict";
import type { Frame } from "../mod.ts";
import { audioHookSession } from "./serializers/fixtures/audiohook_session.ts";

const CLOSE_TIMEOUT_MS = 1000; // the fixture's

/** An open session whose client has just sent its `close` (reason "end"), the bot reading. */
async function closingSession() {
  const s = audioHookSession();
  const frames: Frame[] = [];
  /** The text messages that had left for the client when the bot read each frame. */
  const sentAtFrame: string[][] = [];
  s.transport.receive((frame) => {
    frames.push(frame);
    sentAtFrame.push(
      s.pair.server.sent.flatMap((m) => typeof m === "string" ? [JSON.parse(m).type] : []),
    );
  });
  s.client.open();
  await s.clock.tick(0);
  await s.pair.server.waitFor(() => s.client.state === "open");
  return { ...s, frames, sentAtFrame };
}

Deno.test("Genesys's close: our closed has left when the bot reads the end, and the client's close that answers it ends the session, no timeout", async () => {
  const s = await closingSession();
  s.client.close("end");
  const closed = await s.transport.closed;
  const end = s.frames.findIndex((f) => f.type === "end");
  assert.ok(end > 0, "no end frame");
  // Sent as the `close` was read, before the bound began: none of its time is ours.
  assert.deepEqual(s.sentAtFrame[end], ["opened", "closed"]);
  assert.deepEqual([closed.code, closed.initiator], [1005, "remote"]);
  assert.deepEqual(s.errors.map((e) => e.code), []);
  assert.deepEqual(s.client.violations, []);
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("Genesys's close answered, the socket then held open (a proxy that never closes): closed from our side closeTimeoutMs after closed left", async () => {
  const s = await closingSession();
  // The client's own close on `closed` never reaches us, nor does any answer to ours.
  s.pair.client.close = () => {};
  s.pair.client.answersClose = false;
  s.client.close("end");
  await s.pair.server.waitFor(() => s.frames.some((f) => f.type === "end"));
  await s.clock.tick(CLOSE_TIMEOUT_MS - 1);
  assert.equal(s.pair.server.readyState, 1, "closed before its bound");
  await s.clock.tick(1);
  assert.equal(s.pair.server.readyState, 2, "not closed at its bound");
  await s.clock.tick(CLOSE_TIMEOUT_MS);
  const closed = await s.transport.closed;
  const reason = `the far end ended its stream and did not close within ${CLOSE_TIMEOUT_MS} ms`;
  assert.deepEqual(closed, { code: 1000, reason, initiator: "local" });
  // The bound's fatal timeout, then our close's unanswered handshake.
  assert.deepEqual(s.errors.map((e) => [e.code, e.fatal]), [["timeout", true], ["timeout", false]]);
  assert.equal(s.errors[0]!.message, reason);
  assert.equal(s.clock.pendingTimers, 0);
});
