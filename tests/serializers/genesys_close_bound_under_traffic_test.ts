// Genesys's close bound under traffic: after a breach's `disconnect`, a Genesys that goes on
// sending (audio, messages in step and out) and never closes still has the session ended at
// `closeTimeoutMs` from the disconnect. The inbound fuzzer's long Genesys sessions reached this
// bound by accident before it was stretched past them (tests/fuzz/inbound_fuzz.ts,
// `outlastingCloseTimeout`); this is where it is held.
//
// The client is Genesys's, written message by message (fixtures/audiohook_hand_written_client.ts).
import assert from "node:assert/strict";
import { pingedTwice, toTheEnd } from "./fixtures/audiohook_pinged_session.ts";

Deno.test("Genesys: a client that goes on sending after a breach, and never closes, is closed at closeTimeoutMs", async () => {
  // AudioHook: the server's `disconnect` asks the client to end the session with its close
  // transaction; this one never does, but keeps the stream and its messages coming. None of it
  // moves the bound: the session ends 1000 ms (closeTimeoutMs) after the disconnect.
  const s = await pingedTwice();
  s.send({ ...s.message("ping", {}), serverseq: 99 }); // seq 4 taken, refused: a breach
  await s.clock.tick(0);
  assert.equal(s.seen.at(-1)!.type, "disconnect");
  const disconnectedAt = s.clock.now();
  let closedAt: number | undefined;
  void s.transport.closed.then(() => (closedAt = s.clock.now()));
  // 20 ms of PCMU, a ping in step, now and then one out of step or malformed, for 2 s.
  for (let i = 0; i < 100 && closedAt === undefined; i++) {
    s.audio(new Uint8Array(160).fill(0xff));
    if (i % 10 === 0) s.send(s.message("ping", {}));
    if (i % 25 === 5) s.send({ ...s.message("ping", {}), seq: 1 });
    if (i % 25 === 15) s.send({ ...s.message("ping", {}), position: undefined });
    await s.clock.tick(20);
  }
  await toTheEnd(s);
  assert.equal(closedAt! - disconnectedAt, 1000);
  assert.equal(s.seen.filter((m) => m.type === "disconnect").length, 1);
  assert.equal(s.errors.filter((e) => e.code === "timeout").length, 1);
  assert.match(
    s.errors.find((e) => e.code === "timeout")!.message,
    /did not close the session within 1000 ms/,
  );
});
