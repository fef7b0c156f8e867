// A gap in Genesys's numbering while it numbers on from messages we refused. AudioHook numbers
// every client message one on from the last: Genesys's reference client builds each with
// `seq: ++this.seq` (purecloudlabs/audiohook-reference-implementation,
// app/audiohook/src/client/clientsessionimpl.ts, buildMessage), and the reference server refuses
// any other number, "Invalid seq value (not monotonically increasing)" (server/
// serversessionimpl.ts, onTextMessage). A message we refused before taking its `seq` still took
// its number on Genesys's side, so the next may be ahead of ours by one for each such message, a
// fault of nobody's. Ahead by more, it skipped numbers Genesys never sent: its own fault, which
// was read as in step, whatever the gap. After the close (where the serializer has no
// `outOfStep` to hand it to) such a message was taken and acted on, the gap never reported; while
// we were ending, it was counted in `inboundAfterEnd` as one Genesys numbered right.
//
// After the close the reference client sends at most its `error` (408 "Close transaction
// timeout" from initiateClose, 409 for a server message it did not expect: signalFatalError),
// numbered after its close. The client is Genesys's, written message by message
// (fixtures/audiohook_hand_written_client.ts): `message` numbers the next, so a message made and
// not sent is a number skipped.
import assert from "node:assert/strict";
import {
  endedByUs,
  openedSession,
  type PingedSession,
  refusedUnread,
  toTheEnd,
  unreadableClose,
} from "./fixtures/audiohook_pinged_session.ts";

/** Skips `count` numbers: messages numbered and never sent. */
const skip = (s: PingedSession, count: number) => {
  for (let i = 0; i < count; i++) s.message("ping", {});
};

Deno.test("Genesys: after a close whose seq is no number, an error that skips numbers is a seq fault", async () => {
  const s = await openedSession();
  const { ended } = await endedByUs(s);
  unreadableClose(s); // seq 2
  skip(s, 2); // 3 and 4 never sent
  s.send(s.message("error", { code: 409, message: "Unexpected 'disconnect' message" })); // 5
  await toTheEnd(s, ended);
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect", "closed"]);
  // One number explained by the close we could not read (3 at most), not three.
  assert.deepEqual(s.errors.map((e) => e.code), ["decode", "decode"]);
  assert.match(s.errors[1]!.message, /Invalid seq value 5, expected 2 to 3/);
  assert.equal(s.transport.stats.decodeErrors, 2);
  // `closed` acknowledged the last seq taken.
  assert.equal(s.clientseqs.at(-1), 1);
});

Deno.test("Genesys: after a message refused unread past the close, an error that skips numbers is a seq fault", async () => {
  const s = await openedSession();
  s.send(s.message("close", { reason: "end" })); // 2, taken
  refusedUnread(s); // 3
  skip(s, 2); // 4 and 5 never sent
  s.send(s.message("error", { code: 408, message: "Close transaction timeout" })); // 6
  await toTheEnd(s);
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "closed"]);
  assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [
    ["decode", "genesys: Missing position"],
    ["decode", "genesys: Invalid seq value 6, expected 3 to 4"],
  ]);
  assert.equal(s.transport.stats.decodeErrors, 2);
});

Deno.test("Genesys: after a breach, a message further ahead than the messages refused is a decode error of its own", async () => {
  const s = await openedSession();
  refusedUnread(s); // 2, the breach
  skip(s, 5); // 3 to 7 never sent
  s.send(s.message("ping", {})); // 8
  s.send(s.message("close", { reason: "disconnect" })); // 9, ahead through the two it follows
  await toTheEnd(s);
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect", "closed"]);
  assert.equal(s.transport.stats.decodeErrors, 2);
  assert.match(s.errors[1]!.message, /Invalid seq value 8, expected 2 to 3/);
  assert.equal(s.transport.stats.inboundAfterEnd, 0);
  // The close was ahead by no more than the two refused: no fault, and acknowledged.
  assert.equal(s.errors.length, 2);
  assert.equal(s.clientseqs.at(-1), 9);
});

Deno.test("Genesys: past the close, every message refused before its seq was taken counts towards how far ahead the next may be", async () => {
  // The bound's other side: three messages refused (no JSON object, a seq that is no number, no
  // position), each numbered by Genesys; its error three ahead is in step, reported with its code.
  const s = await openedSession();
  s.send(s.message("close", { reason: "end" })); // 2, taken
  s.message("ping", {}); // 3: sent below as no object at all
  s.send(["ping"] as unknown as Record<string, unknown>);
  s.send({ ...s.message("ping", {}), seq: "4" }); // 4
  s.send({ ...s.message("ping", {}), position: undefined }); // 5
  s.send(s.message("error", { code: 408, message: "Close transaction timeout" })); // 6
  await toTheEnd(s);
  assert.equal(s.transport.stats.decodeErrors, 3);
  assert.deepEqual([s.errors.at(-1)!.code, s.errors.at(-1)!.message], [
    "protocol",
    "genesys: error 408: Close transaction timeout",
  ]);
});
