// `shutdownGraceMs`: a session whose bot had sent its `end` when the shutdown began plays its
// farewell for at most that long; past it, it gets the goodbye every other session got at the abort
// (a `cancel`, then 1001, RFC 6455, 7.4.1: "a server going down"), so `sessionsEnded` is bounded by
// the grace and the close's own bounds, however much audio the bot queued. On the fake clock, as
// the adapters run it (`followShutdown` is what each of them calls for a session it starts).
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import { checkShutdownOptions, sessionsEnded } from "../../src/adapters/_shutdown.ts";
import { jsonShutdownSession } from "./_json_shutdown_session.ts";
import { assertGenesysClosingSequenceFinishes } from "./_shutdown_checks.ts";

/** `seconds` of 16 kHz mono PCM: the bot's farewell. */
function farewell(seconds: number): Frame {
  return { type: "audio", audio: new Uint8Array(32000 * seconds), sampleRate: 16000, channels: 1 };
}

/** The session, with `shutdownGraceMs`, bounded closes. */
const session = (shutdownGraceMs: number | undefined) =>
  jsonShutdownSession({ shutdownGraceMs, transport: { closeTimeoutMs: 500, sendTimeoutMs: 1000 } });

Deno.test("shutdownGraceMs: a farewell longer than the grace is cut at it with the shutdown's goodbye, cancel and 1001", async () => {
  const s = session(1000);
  await s.clock.tick(1); // connected
  s.transport.send(farewell(10));
  void s.transport.send({ type: "end" });
  await s.clock.tick(200);
  const abortedAt = s.clock.now();
  s.shutdown.abort(); // 0.2 s into a 10 s farewell
  let settled = false;
  void sessionsEnded(s.shutdown.signal).then(() => (settled = true));

  await s.clock.tick(999);
  assert.equal(s.transport.connected, true, "the farewell plays for the grace");
  assert.deepEqual(s.types.filter((type) => type !== "audio"), []);
  await s.clock.tick(1);
  await s.clock.tick(500); // the close's own bound, at most
  assert.equal(settled, true, "sessionsEnded settled within the grace and the close's bounds");
  assert.ok(s.endedAt() - abortedAt <= 1500, `ended ${s.endedAt() - abortedAt} ms after the abort`);
  assert.deepEqual(s.types.filter((type) => type !== "audio"), ["cancel"]);
  assert.deepEqual(await s.transport.closed, {
    code: 1001,
    reason: "going away",
    initiator: "local",
  });
  const { audioBytesSent, audioBytesDroppedOnClose, framesDroppedOnClose } = s.transport.stats;
  assert.equal(audioBytesSent + audioBytesDroppedOnClose, 320_000, "every byte sent or counted");
  assert.ok(audioBytesDroppedOnClose > 0);
  assert.equal(framesDroppedOnClose, 1, "the `end`, never said");
  await s.clock.runAll();
});

Deno.test("shutdownGraceMs: a farewell within the grace plays out and ends with the bot's own goodbye", async () => {
  const s = session(5000);
  await s.clock.tick(1);
  s.transport.send(farewell(1));
  void s.transport.send({ type: "end" });
  s.shutdown.abort();
  const ended = sessionsEnded(s.shutdown.signal);
  await s.clock.tick(1500);
  await ended;
  assert.deepEqual(s.types.filter((type) => type !== "audio"), ["end"]);
  assert.equal(s.transport.stats.audioBytesDroppedOnClose, 0, "the farewell was not cut");
  const { code, initiator } = await s.transport.closed;
  assert.deepEqual({ code, initiator }, { code: 1000, initiator: "local" });
  // The grace's wait ended with the session: nothing fires at 5 s.
  await s.clock.runAll();
  assert.deepEqual(s.types.filter((type) => type !== "audio"), ["end"]);
});

Deno.test("shutdownGraceMs: without it, a long farewell plays out whole (as before)", async () => {
  const s = session(undefined);
  await s.clock.tick(1);
  s.transport.send(farewell(10));
  void s.transport.send({ type: "end" });
  s.shutdown.abort();
  const ended = sessionsEnded(s.shutdown.signal);
  await s.clock.tick(11_000);
  await ended;
  assert.equal(s.transport.stats.audioBytesSent, 320_000);
  assert.deepEqual(s.types.filter((type) => type !== "audio"), ["end"]);
  await s.clock.runAll();
});

Deno.test("shutdownGraceMs: a session not ending at the abort gets its goodbye at once, grace or not", async () => {
  const s = session(5000);
  await s.clock.tick(1);
  s.transport.send(farewell(10)); // speaking, but no `end`: the call is not ending
  s.shutdown.abort();
  await s.clock.tick(0);
  assert.deepEqual(s.types.filter((type) => type !== "audio"), ["cancel"]);
  await s.clock.tick(500);
  await sessionsEnded(s.shutdown.signal);
  assert.equal((await s.transport.closed).code, 1001);
  await s.clock.runAll();
});

Deno.test("shutdownGraceMs: over while Genesys's closing sequence runs, it sends nothing more and the sequence finishes", async () => {
  // The grace ends (100 ms) while the server waits for the client to answer its `disconnect`.
  await assertGenesysClosingSequenceFinishes({ abortAfterMs: 0, shutdownGraceMs: 100 });
});

Deno.test("shutdownGraceMs: anything but a finite number >= 0 is refused, naming the option", () => {
  const shutdownSignal = new AbortController().signal;
  for (const bad of ["500", null, { ms: 500 }]) {
    assert.throws(
      () => checkShutdownOptions({ shutdownSignal, shutdownGraceMs: bad as unknown as number }),
      { name: "TypeError", message: /^shutdownGraceMs must be a number of milliseconds, got / },
    );
  }
  for (const bad of [-1, NaN, Infinity]) {
    assert.throws(
      () => checkShutdownOptions({ shutdownSignal, shutdownGraceMs: bad }),
      { name: "RangeError", message: `shutdownGraceMs must be a finite number >= 0, got ${bad}` },
    );
  }
  checkShutdownOptions({ shutdownSignal, shutdownGraceMs: 0 });
});
