// What our `closed` acknowledges when Genesys's `close` comes while we are ending (after our
// `disconnect`: a goodbye's, or a breach's) with a `seq` that is not the next one.
//
// The rule for `clientseq`: every server message carries it, "the client's last seq" it has
// received (the project's protocol notes, /work/shared/reference/PROTOCOLS.md, Genesys Cloud
// AudioHook: "`clientseq` echoes the client's last `seq`"; Genesys's reference implementation,
// purecloudlabs/audiohook-reference-implementation, app/audiohook/src/protocol/message.ts:
// `ServerMessageBase` carries `clientseq`, `ContinuedSession` keeps `clientseq` as where the
// client's numbering stands). It is an acknowledgement, so it only ever moves forward: the
// reference server takes a message's `seq` only when it is `clientseq + 1`
// (server/serversessionimpl.ts, onTextMessage), and every server message it sends carries that
// `clientseq` (buildAndSendMessage). (developer.genesys.cloud's "AudioHook protocol" pages are not
// in the searchable docs; the rule above is the one both of those state.)
//
// While we are ending, Genesys's close is taken whatever its `seq` (the serializer answers it so
// that the session ends as AudioHook ends it, not on a timeout): a `seq` ahead of ours, Genesys
// numbering on from a message we refused, is acknowledged. But:
// - a `close` whose `seq` is no number has nothing to acknowledge: `closed` carries the last
//   `seq` taken, as every message before it did (the behaviour was already so; pinned here);
// - a `close` replaying a number already taken (behind ours) must not move `clientseq` back:
//   `closed` would then tell Genesys we had not received messages an earlier server message
//   already acknowledged. It did: `closed` carried the replayed number.
//
// The client is Genesys's, written message by message (fixtures/audiohook_hand_written_client.ts).
import assert from "node:assert/strict";
import { openedSession, pingedTwice, toTheEnd } from "./fixtures/audiohook_pinged_session.ts";

/**
 * A session Genesys opened (`seq` 1) and pinged twice (`seq` 2 and 3, each answered with a `pong`
 * acknowledging it), then ended by the bot's `end`: our `disconnect` acknowledges 3.
 */
async function endingSession() {
  const s = await pingedTwice();
  const ended = s.transport.send({ type: "end", reason: "done" });
  await s.clock.runAll(10);
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "pong", "pong", "disconnect"]);
  assert.deepEqual(s.clientseqs, [1, 2, 3, 3]);
  return { ...s, ended };
}

/** Sends Genesys's `close` as `change` makes it, and runs the session to its end. */
async function closeWith(s: Awaited<ReturnType<typeof endingSession>>, change: object) {
  s.send({ ...s.message("close", { reason: "disconnect" }), ...change });
  await toTheEnd(s, s.ended);
  // Answered whatever its seq: the bot has its end, the session ends as AudioHook ends it.
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "pong", "pong", "disconnect", "closed"]);
  assert.deepEqual(s.frames.map((f) => f.type), ["start", "end"]);
}

for (
  const [what, seq] of [
    ["the open's seq", 1],
    ["the first ping's seq", 2],
    ["the last seq taken", 3],
  ] as const
) {
  Deno.test(`Genesys: a close replaying ${what} while we are ending does not move clientseq back`, async () => {
    const s = await endingSession();
    await closeWith(s, { seq });
    // `closed` acknowledges what `disconnect` already did (3), not the replayed number.
    assert.equal(s.clientseqs.at(-1), 3);
  });
}

Deno.test("Genesys: a replayed close after a breach does not move clientseq back either", async () => {
  const s = await openedSession();
  s.send(s.message("ping", {})); // seq 2, answered
  s.send({ ...s.message("ping", {}), position: undefined }); // seq 3, refused: not taken
  await s.clock.runAll(10);
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "pong", "disconnect"]);
  assert.deepEqual(s.clientseqs, [1, 2, 2]);
  s.send({ ...s.message("close", { reason: "disconnect" }), seq: 1 });
  await toTheEnd(s);
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "pong", "disconnect", "closed"]);
  assert.deepEqual(s.clientseqs, [1, 2, 2, 2]);
});

Deno.test("Genesys: a close ahead of ours while we are ending is acknowledged by closed", async () => {
  // Genesys skipped two numbers (a gap while the numbering was in step: its own fault, reported
  // as a decode error, tests/serializers/genesys_close_seq_test.ts): its close is still taken
  // with its own number, which `closed` acknowledges, as a close Genesys numbered on from
  // messages we refused is.
  const s = await endingSession();
  await closeWith(s, { seq: 6 });
  assert.equal(s.clientseqs.at(-1), 6);
});

for (const [what, seq] of [["a string", "4"], ["null", null], ["absent", undefined]] as const) {
  Deno.test(`Genesys: a close whose seq is ${what} while we are ending: closed acknowledges the last seq taken`, async () => {
    // Nothing in the close to acknowledge: `closed` carries the last `seq` received, as the
    // `disconnect` before it did. The close is answered all the same, its fault a decode error.
    const s = await endingSession();
    await closeWith(s, { seq });
    assert.equal(s.clientseqs.at(-1), 3);
    assert.equal(s.transport.stats.decodeErrors, 1);
    assert.deepEqual(s.errors.map((e) => e.code), ["decode"]);
    assert.match(s.errors[0]!.message, /seq is not a sequence number.*answered all the same/);
  });
}
