// Genesys's `close` whose `seq` is no number while we are ending, and Genesys's `error` after it.
// Judged against Genesys's reference client (purecloudlabs/audiohook-reference-implementation,
// app/audiohook/src/client/clientsessionimpl.ts): it numbers every message it builds, a close and
// an error alike (buildMessage: `seq: ++this.seq`), and after its close it may still send an
// `error`: 408 "Close transaction timeout" when our `closed` is late (initiateClose), 409 for a
// server message it did not expect while closing (sendUnexpectedMessageError, signalFatalError).
// Numbered after the close. (developer.genesys.cloud's "AudioHook protocol" pages are not in the
// searchable docs: a search for "AudioHook protocol sequence numbers seq close closed error"
// finds none of them.)
//
// The close is answered all the same, its unreadable `seq` a decode error
// (genesys_close_seq_fault_once_test.ts). But its number was never taken, so the error after it
// came a number ahead of the last one taken and was refused as "Invalid seq value": the bot read
// a second decode error and never learnt the code Genesys sent. Genesys numbered the close all the
// same: it numbers on from it, as from a message refused unread, and its error is its word.
//
// The client is Genesys's, written message by message (fixtures/audiohook_hand_written_client.ts).
import assert from "node:assert/strict";
import {
  breached,
  endedByUs,
  openedSession,
  refusedUnread,
  toTheEnd,
  unreadableClose,
} from "./fixtures/audiohook_pinged_session.ts";

for (
  const [what, ending, decodeErrors] of [
    ["after a breach", breached, 2],
    ["after our goodbye", endedByUs, 1],
  ] as const
) {
  Deno.test(`Genesys: an error after a close whose seq is no number ${what} is reported with its code`, async () => {
    const s = await openedSession();
    const { ended } = await ending(s);
    assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect"]);
    unreadableClose(s);
    s.send(s.message("error", { code: 409, message: "Unexpected 'disconnect' message" }));
    await toTheEnd(s, ended);
    // The close answered, the session ended as AudioHook ends it.
    assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect", "closed"]);
    assert.deepEqual(s.frames.map((f) => f.type), ["start", "end"]);
    // The close's unreadable seq is a decode error; Genesys's error is its word, with its code.
    assert.match(s.errors.at(-2)!.message, /seq is not a sequence number.*answered all the same/);
    assert.deepEqual([s.errors.at(-1)!.code, s.errors.at(-1)!.message], [
      "protocol",
      "genesys: error 409: Unexpected 'disconnect' message",
    ]);
    assert.equal(s.transport.stats.decodeErrors, decodeErrors);
    assert.equal(s.transport.stats.inboundAfterEnd, 0);
  });
}

Deno.test("Genesys: after a close whose seq is no number, an error replaying a number taken is still a fault", async () => {
  // Being behind explains a number ahead, never one already taken.
  const s = await openedSession();
  const { ended } = await endedByUs(s);
  unreadableClose(s);
  s.send({ ...s.message("error", { code: 409, message: "Unexpected message" }), seq: 1 });
  await toTheEnd(s, ended);
  assert.deepEqual(s.errors.map((e) => e.code), ["decode", "decode"]);
  assert.match(s.errors[1]!.message, /Invalid seq value 1, expected 2/);
  assert.equal(s.transport.stats.decodeErrors, 2);
});

Deno.test("Genesys: an error after a message refused unread past the close is reported with its code", async () => {
  // The same numbering left behind once the session has closed: Genesys numbers on from the
  // message refused, and its error after it is its word, not a second fault. Sent together: the
  // client closes its socket as our `closed` comes.
  const s = await openedSession();
  s.send(s.message("close", { reason: "end" }));
  refusedUnread(s);
  s.send(s.message("error", { code: 408, message: "Close transaction timeout" }));
  await toTheEnd(s);
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "closed"]);
  assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [
    ["decode", "genesys: Missing position"],
    ["protocol", "genesys: error 408: Close transaction timeout"],
  ]);
  assert.equal(s.transport.stats.decodeErrors, 1);
});
