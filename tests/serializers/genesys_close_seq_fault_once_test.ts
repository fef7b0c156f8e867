// Genesys's `close` while we are ending whose `seq` is at fault AND something else is wrong with
// it: one fault counted and reported, never two, and none of it counted after the session's end;
// and the numbering after such a close. Judged against Genesys's reference server
// (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/server/
// serversessionimpl.ts, onTextMessage): it checks a message's shape first (403-407), then its
// `seq` (408-411), then `serverseq` and `id` (414-428), then its parameters (430-440), and stops
// at the first fault, so what it would say of such a close is one fault, the first in that order.
// The serializer answers the close all the same (genesys_close_seq_test.ts says why), but reports
// that one fault, as a decode error, not a second for the same message.
//
// The client is Genesys's, written message by message (fixtures/audiohook_hand_written_client.ts).
import assert from "node:assert/strict";
import { pingedTwice, toTheEnd } from "./fixtures/audiohook_pinged_session.ts";

/** A session id other than the fixture's. */
const OTHER_SESSION = "11111111-1111-4111-8111-111111111111";

for (
  const [what, change, fault] of [
    // Its shape first: a replayed or skipping seq besides is not a second fault.
    ["no position and a replayed seq", { seq: 3, position: undefined }, /Missing position/],
    ["another version and a gap", { seq: 9, version: "1" }, /version is not "2"/],
    // Its seq before its parameters and its id.
    ["no reason and a replayed seq", { seq: 2, parameters: {} }, /Invalid seq value 2, expected 4/],
    [
      "another session's id and a replayed seq",
      { seq: 2, id: OTHER_SESSION },
      /Invalid seq value 2/,
    ],
    // No number at all: nothing to compare, the one fault is that.
    ["a seq that is no number", { seq: "4" }, /seq is not a sequence number/],
  ] as const
) {
  Deno.test(`Genesys: a close with ${what} while we are ending is answered, one fault reported`, async () => {
    const s = await pingedTwice();
    const ended = s.transport.send({ type: "end", reason: "done" });
    await s.clock.runAll(10);
    s.send({ ...s.message("close", { reason: "disconnect" }), ...change });
    await toTheEnd(s, ended);
    assert.deepEqual(s.seen.map((m) => m.type), ["opened", "pong", "pong", "disconnect", "closed"]);
    assert.deepEqual(s.frames.map((f) => f.type), ["start", "end"]);
    assert.equal(s.transport.stats.decodeErrors, 1);
    assert.equal(
      s.transport.stats.inboundAfterEnd,
      0,
      "the close itself is no message after the end",
    );
    assert.deepEqual(s.errors.map((e) => e.code), ["decode"]);
    assert.match(s.errors[0]!.message, fault);
  });
}

Deno.test("Genesys: after a close that skipped ahead while ending, Genesys's next message is in step", async () => {
  // The gap is reported, and the close's number taken (`closed` acknowledges it): the reference
  // client's error after its close (a 409: clientsessionimpl.ts, signalFatalError) is numbered
  // after that close, so it is Genesys's word, reported, not refused as out of step.
  const s = await pingedTwice();
  const ended = s.transport.send({ type: "end", reason: "done" });
  await s.clock.runAll(10);
  s.send({ ...s.message("close", { reason: "disconnect" }), seq: 6 });
  s.send({ ...s.message("error", { code: 409, message: "Unexpected message" }), seq: 7 });
  await toTheEnd(s, ended);
  assert.deepEqual(s.errors.map((e) => e.code), ["decode", "protocol"]);
  assert.match(s.errors[0]!.message, /Invalid seq value 6, expected 4/);
  assert.equal(s.transport.stats.decodeErrors, 1);
});
