// What Genesys sends between a breach of its own and its close. The reference server answers a
// breach with `disconnect`, reason `error`, and leaves its `clientseq` where it was when the
// message's shape or number was wrong (server/serversessionimpl.ts, onTextMessage: it takes
// `seq` only once `isClientMessageBase` has passed and the number is the next). Genesys's client
// numbers on from the message refused (client/clientsessionimpl.ts: every message it sends
// takes the next `seq`) and streams on until it has read the disconnect; then it sends `close`.
// Its messages meanwhile are out of step through no fault of their own. The reference server,
// having signalled its error, signals nothing more (suppressErrorSignalStateMap, SIGNALED-ERROR)
// and acts on none of them. The serializer counted each one as a decode error, so that
// `decodeErrors` said Genesys broke the protocol three or four times where it broke it once;
// they are now counted as messages after the session's end (`inboundAfterEnd`), not acted on,
// the breach alone a decode error.
//
// The client here is Genesys's, cut to what the test needs: it opens, sends what the test says,
// and answers our `disconnect` with its close transaction when the test lets it read it.
import assert from "node:assert/strict";
import { openedSession as breachedSession, toTheEnd } from "./fixtures/audiohook_pinged_session.ts";

for (
  const [what, breach] of [
    [
      "a message without its position",
      (m: Record<string, unknown>) => ({ ...m, position: undefined }),
    ],
    ["a message of a later seq (a gap)", (m: Record<string, unknown>) => ({
      ...m,
      seq: (m.seq as number) + 1,
    })],
  ] as const
) {
  Deno.test(`Genesys: after ${what}, the messages Genesys numbers on from it until its close are counted after the session's end, not as decode errors`, async () => {
    const s = await breachedSession();
    assert.deepEqual(s.seen.map((m) => m.type), ["opened"]);
    // The breach, then what the client sends before it has read our disconnect.
    s.send(breach(s.message("ping", {})));
    s.send(s.message("ping", {}));
    s.send(s.message("dtmf", { digit: "1" }));
    await s.clock.runAll(10);
    assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect"], "no pong, once refused");
    // It reads the disconnect: its close transaction, taken whatever its seq.
    s.send(s.message("close", { reason: "disconnect" }));
    await s.clock.runAll(5000);
    const closed = await s.transport.closed;
    await s.read;
    assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect", "closed"]);
    // The breach is the one decode error; the two messages Genesys numbered on are counted, not
    // read: the bot gets neither the DTMF nor anything else before its end.
    assert.equal(s.transport.stats.decodeErrors, 1);
    assert.equal(s.transport.stats.inboundAfterEnd, 2);
    assert.deepEqual(s.errors.map((e) => e.code), ["decode"]);
    assert.deepEqual(s.frames.map((f) => f.type), ["start", "end"]);
    // Ended as AudioHook ends it, by the client, not on closeTimeoutMs.
    assert.equal(closed.code, 1005);
  });
}

Deno.test("Genesys: a message malformed besides, after a breach, is still a decode error", async () => {
  const s = await breachedSession();
  s.send({ ...s.message("ping", {}), position: undefined });
  // Out of step and without its serverseq: Genesys broke the protocol again.
  s.send({ ...s.message("ping", {}), serverseq: undefined });
  s.send(s.message("close", { reason: "disconnect" }));
  await toTheEnd(s);
  assert.equal(s.transport.stats.decodeErrors, 2);
  assert.equal(s.transport.stats.inboundAfterEnd, 0);
});

Deno.test("Genesys: after a breach, a replay of a number already taken is still a decode error", async () => {
  // Genesys numbers on from the message refused: only a message ahead of ours is out of step
  // through our refusal; one behind (the open's 1 again) is a fault of its own.
  const s = await breachedSession();
  s.send({ ...s.message("ping", {}), position: undefined });
  s.send({ ...s.message("ping", {}), seq: 1 });
  s.send(s.message("ping", {}));
  s.send(s.message("close", { reason: "disconnect" }));
  await toTheEnd(s);
  assert.equal(s.transport.stats.decodeErrors, 2);
  assert.equal(s.transport.stats.inboundAfterEnd, 1);
});

Deno.test("Genesys: after our goodbye's disconnect, a message out of step is still a decode error", async () => {
  // No breach left Genesys's numbering behind ours: a wrong seq then is a fault of its own.
  const s = await breachedSession();
  // Settled once Genesys has closed: the transport waits for it after an `end`.
  const ended = s.transport.send({ type: "end", reason: "done" });
  await s.clock.runAll(10);
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect"]);
  s.send({ ...s.message("ping", {}), seq: 7 });
  s.send(s.message("close", { reason: "disconnect" }));
  await toTheEnd(s, ended);
  assert.equal(s.transport.stats.decodeErrors, 1);
  assert.equal(s.transport.stats.inboundAfterEnd, 0);
});

Deno.test("Genesys: after our goodbye's disconnect, the messages Genesys numbers on from one refused are counted after the session's end, not as decode errors", async () => {
  // The refusal is the fault, counted once; its `seq` not taken, every later message Genesys
  // numbers on from it is out of step through no fault of its own, as after a breach's disconnect.
  const s = await breachedSession();
  const ended = s.transport.send({ type: "end", reason: "done" });
  await s.clock.runAll(10);
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect"]);
  s.send({ ...s.message("ping", {}), position: undefined });
  s.send(s.message("ping", {}));
  s.send(s.message("dtmf", { digit: "1" }));
  s.send(s.message("close", { reason: "disconnect" }));
  await toTheEnd(s, ended);
  assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect", "closed"]);
  assert.equal(s.transport.stats.decodeErrors, 1);
  assert.equal(s.transport.stats.inboundAfterEnd, 2);
});

type Session = Awaited<ReturnType<typeof breachedSession>>;

for (
  const [what, breach] of [
    // Audio carries no `seq` (server/serversessionimpl.ts, onBinaryMessage): "Received audio in
    // state PAUSED", a breach.
    ["audio while paused", async (s: Session) => {
      s.send(s.message("paused", {}));
      await s.clock.runAll(10);
      s.audio(new Uint8Array(160));
    }],
    // The reference takes a message's `seq` before it judges its parameters (onTextMessage):
    // the next message is in step again.
    ["a ping whose rtt is no duration", (s: Session) => {
      s.send(s.message("ping", { rtt: 5 }));
    }],
  ] as const
) {
  Deno.test(`Genesys: after a breach by ${what}, which leaves Genesys's numbering in step, a message out of step is a decode error of its own`, async () => {
    // Refusing it leaves Genesys's numbering and ours together, so a text message out of step
    // after it is Genesys's own second fault, not one our refusal caused. The messages numbered
    // on from that one are.
    const s = await breachedSession();
    await breach(s);
    await s.clock.runAll(10);
    assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect"]);
    assert.equal(s.transport.stats.decodeErrors, 1);
    const gap = s.message("ping", {});
    s.send({ ...gap, seq: (gap.seq as number) + 1 });
    s.send(s.message("ping", {}));
    s.send(s.message("close", { reason: "disconnect" }));
    await toTheEnd(s);
    assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect", "closed"]);
    assert.equal(s.transport.stats.decodeErrors, 2);
    assert.equal(s.transport.stats.inboundAfterEnd, 1);
  });
}
