// Genesys's `close` whose `seq` is not the next one, judged against Genesys's reference server
// (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/server/
// serversessionimpl.ts) and client (app/audiohook/src/client/clientsessionimpl.ts).
// (developer.genesys.cloud's "AudioHook protocol" pages are not in the searchable docs.)
//
// The reference server checks every text message, a close too, before it acts on it: its shape
// (serversessionimpl.ts:403-407), then `seq === clientseq + 1` (408-411: "Invalid seq value (not
// monotonically increasing)"), then serverseq and id (414-428), then its parameters (430-440);
// only a close that passed them reaches onCloseMessage (575-597), which takes the close "in any
// state" (582) and answers `closed`. A close that fails them is answered with `disconnect`
// (signalClientError, 377-389), never `closed`.
//
// - While the session is active, so does the serializer: a breach, `disconnect` and no `closed`.
//   The reference client, already closing, ignores that `disconnect` (clientsessionimpl.ts:570-
//   576), waits for `closed` until its close timeout, sends error 408 "Close transaction timeout"
//   and closes (338-345): the session ends on a timeout there as here (our `closeTimeoutMs`).
// - While we are ending (after our `disconnect`), the serializer goes past the reference and
//   answers any close, so that the session ends with `closed` and not on a timeout, counting and
//   reporting what is wrong with it. A replayed `seq` was answered silently: no decode error, where
//   the reference counts it a fault as any other. Only a `seq` ahead because we refused one of
//   Genesys's messages before taking its number (Genesys numbers on from it) is no fault.
//
// The client is Genesys's, written message by message (fixtures/audiohook_hand_written_client.ts).
import assert from "node:assert/strict";
import { pingedTwice, toTheEnd } from "./fixtures/audiohook_pinged_session.ts";

for (
  const [what, change, fault] of [
    ["a replay of the last seq taken", { seq: 3 }, /Invalid seq value 3, expected 4/],
    ["an older seq", { seq: 1 }, /Invalid seq value 1, expected 4/],
    ["a gap", { seq: 6 }, /Invalid seq value 6, expected 4/],
  ] as const
) {
  Deno.test(`Genesys: a close with ${what} while we are ending is answered, its fault counted and reported`, async () => {
    const s = await pingedTwice();
    const ended = s.transport.send({ type: "end", reason: "done" });
    await s.clock.runAll(10);
    assert.deepEqual(s.seen.map((m) => m.type), ["opened", "pong", "pong", "disconnect"]);
    s.send({ ...s.message("close", { reason: "disconnect" }), ...change });
    await toTheEnd(s, ended);
    // Answered: the session ends as AudioHook ends it, the bot has its end.
    assert.deepEqual(s.seen.map((m) => m.type), ["opened", "pong", "pong", "disconnect", "closed"]);
    assert.deepEqual(s.frames.map((f) => f.type), ["start", "end"]);
    // Acknowledging the highest seq taken, never one taken back.
    assert.equal(s.clientseqs.at(-1), Math.max(3, change.seq));
    // But not silently: the reference refuses such a seq, a fault of Genesys's own.
    assert.equal(s.transport.stats.decodeErrors, 1);
    assert.deepEqual(s.errors.map((e) => e.code), ["decode"]);
    assert.match(s.errors[0]!.message, fault);
    assert.match(s.errors[0]!.message, /answered all the same/);
  });
}

Deno.test("Genesys: a close ahead after a breach refused a message unread is no second fault", async () => {
  // Genesys numbered the refused message (not taken) and numbers on from it until it reads our
  // disconnect: its close is ahead through our refusal, not a fault of its own.
  const s = await pingedTwice();
  s.send({ ...s.message("ping", {}), position: undefined }); // seq 4, refused unread
  await s.clock.runAll(10);
  s.send(s.message("close", { reason: "disconnect" })); // seq 5
  await toTheEnd(s);
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "pong", "pong", "disconnect", "closed"]);
  assert.deepEqual(s.clientseqs, [1, 2, 3, 3, 5]);
  assert.equal(s.transport.stats.decodeErrors, 1, "the refusal alone");
  assert.deepEqual(s.errors.map((e) => e.code), ["decode"]);
  assert.match(s.errors[0]!.message, /Missing position/);
});

Deno.test("Genesys: a replayed close after a breach refused a message unread is still a fault", async () => {
  // Being behind explains a number ahead, never one already taken.
  const s = await pingedTwice();
  s.send({ ...s.message("ping", {}), position: undefined }); // seq 4, refused unread
  await s.clock.runAll(10);
  s.send({ ...s.message("close", { reason: "disconnect" }), seq: 2 });
  await toTheEnd(s);
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "pong", "pong", "disconnect", "closed"]);
  assert.deepEqual(s.clientseqs, [1, 2, 3, 3, 3]);
  assert.equal(s.transport.stats.decodeErrors, 2);
  assert.match(s.errors[1]!.message, /Invalid seq value 2, expected 4.*answered all the same/);
});

Deno.test("Genesys: after a close ahead through our refusal, Genesys's next message is in step", async () => {
  // The reference client may send an error after its close (a 409 for a server message it did
  // not expect then: clientsessionimpl.ts, signalFatalError, 430-435), numbered after its close:
  // `clientseq` now stands at the close's number, so it is in step and reported as Genesys's word,
  // not refused as out of step.
  const s = await pingedTwice();
  s.send({ ...s.message("ping", {}), position: undefined }); // seq 4, refused unread
  await s.clock.runAll(10);
  s.send(s.message("close", { reason: "disconnect" })); // seq 5
  s.send(s.message("error", { code: 409, message: "Unexpected 'event' message in state CLOSING" }));
  await toTheEnd(s);
  assert.deepEqual(s.errors.map((e) => [e.code, e.message]).slice(1), [
    ["protocol", "genesys: error 409: Unexpected 'event' message in state CLOSING"],
  ]);
  assert.equal(s.transport.stats.decodeErrors, 1);
});

for (
  const [what, change, fault] of [
    ["a gap", { seq: 6 }, /Invalid seq value 6, expected 4/],
    ["a replay", { seq: 3 }, /Invalid seq value 3, expected 4/],
    ["no position", { position: undefined }, /Missing position/],
  ] as const
) {
  Deno.test(`Genesys: a close with ${what} while the session is active is refused as the reference refuses it`, async () => {
    // Not answered with `closed`: the reference server answers it with `disconnect` reason
    // `error` (serversessionimpl.ts:403-411, 377-389), and never acts on it.
    const s = await pingedTwice();
    s.send({ ...s.message("close", { reason: "end" }), ...change });
    await toTheEnd(s);
    assert.deepEqual(s.seen.map((m) => m.type), ["opened", "pong", "pong", "disconnect"]);
    assert.deepEqual(s.seen.at(-1)!.parameters.reason, "error");
    assert.match(String(s.seen.at(-1)!.parameters.info), /^Client Error: /);
    assert.equal(s.transport.stats.decodeErrors, 1);
    assert.equal(s.errors[0]!.code, "decode");
    assert.match(s.errors[0]!.message, fault);
    // Nothing closed it: the session ended at the bound on Genesys's close (closeTimeoutMs).
    assert.equal(s.errors.at(-1)!.code, "timeout");
  });
}
