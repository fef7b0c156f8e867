// A bot that writes its `end` (a goodbye said first: the audio queued before it plays, then the
// close) while its socket still connects (Deno, Hono on Workers: a 101 that goes out late). The open
// bound (`openTimeoutMs`) ended such a session as the caller's drop: 1006 "the socket did not
// open…", `initiator` "remote", a "disconnected" event; the bot's ending was lost, as its close
// made before open once was. An `end` is the bot's ending, as `close()` is: the bound leaves it
// be and gives the socket `closeTimeoutMs` more to open (counted from the bound). Opened then,
// the goodbye plays and the end closes as any end; never opened, the session ends as that end
// would have closed it (1000, its reason, `initiator` "local", no "disconnected"), the audio and
// the end counted dropped, a "timeout" saying the socket never opened. The caller's own close
// meanwhile is still the caller's end.
import assert from "node:assert/strict";
import { RawPcmSerializer, type WebSocketTransport } from "../mod.ts";
import { observedSession } from "./_observed_session.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 500;
/** 40 ms of 16 kHz mono PCM: two 20 ms chunks. */
const GOODBYE_BYTES = 1280;
const NEVER_SAID = `the socket did not open within ${OPEN_TIMEOUT_MS + CLOSE_TIMEOUT_MS} ms ` +
  `(openTimeoutMs, then closeTimeoutMs for the bot's end): the end was never said`;

/** A session on a socket still connecting, its events, and what its client reads. */
function connectingSession(extra: { maxQueuedMs?: number } = {}) {
  return observedSession({
    serializer: new RawPcmSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    openTimeoutMs: OPEN_TIMEOUT_MS,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    ...extra,
  });
}

/** The bot's goodbye: 40 ms of audio, then its `end`. */
function sayGoodbye(transport: WebSocketTransport): void {
  transport.send({
    type: "audio",
    audio: new Uint8Array(GOODBYE_BYTES),
    sampleRate: 16000,
    channels: 1,
  });
  void transport.send({ type: "end", reason: "goodbye" });
}

Deno.test("an end written before the socket opened outlives the open bound: opened within closeTimeoutMs more, the goodbye plays, then the end's close", async () => {
  const s = connectingSession();
  sayGoodbye(s.transport);
  await s.clock.tick(OPEN_TIMEOUT_MS);
  assert.equal(s.settled(), false, "the bound left the session to its end");
  assert.equal(s.pair.server.readyState, 0, "nor dropped its socket");
  await s.clock.tick(CLOSE_TIMEOUT_MS - 1); // the client's upgrade completes, within the end's wait
  s.pair.open();
  await s.clock.tick(1000); // the goodbye paced out and played, then the close
  assert.deepEqual(s.clientRead, [640, 640, "close 1000 goodbye"]);
  assert.deepEqual(await s.transport.closed, {
    code: 1000,
    reason: "goodbye",
    initiator: "local",
  });
  assert.deepEqual(s.seen, ["connected"], "no disconnected: the bot ended it");
  assert.deepEqual(s.errors, []);
  const stats = s.transport.stats;
  assert.equal(stats.audioBytesSent, GOODBYE_BYTES);
  assert.equal(stats.audioBytesDroppedOnClose, 0);
  assert.equal(stats.framesDroppedOnClose, 0);
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("an end written before a socket that never opens ends the session at the bound as the bot's end, its audio counted dropped", async () => {
  const s = connectingSession();
  sayGoodbye(s.transport);
  await s.clock.tick(OPEN_TIMEOUT_MS + CLOSE_TIMEOUT_MS - 1);
  assert.equal(s.settled(), false, "not before the end's wait is over");
  await s.clock.tick(1);
  assert.deepEqual(await s.transport.closed, {
    code: 1000,
    reason: "goodbye",
    initiator: "local",
  });
  assert.deepEqual(s.errors.map((e) => [e.code, e.closeCode, e.fatal, e.message]), [
    ["timeout", 1000, false, NEVER_SAID],
  ]);
  assert.deepEqual(s.seen, [], "no connected, no disconnected: the bot ended it");
  const stats = s.transport.stats;
  assert.equal(stats.audioBytesSent, 0);
  assert.equal(stats.audioBytesDroppedOnClose, GOODBYE_BYTES, "the goodbye never left");
  assert.equal(stats.framesDroppedOnClose, 1, "the end, never said");
  assert.equal(s.pair.server.readyState, 3, "the socket dropped");
  assert.equal(s.transport.ending, true);
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("an end waiting in a writer for room before the socket opened is the bot's end too", async () => {
  const s = connectingSession({ maxQueuedMs: 40 });
  const writer = s.transport.writable.getWriter();
  const audio = {
    type: "audio",
    audio: new Uint8Array(GOODBYE_BYTES),
    sampleRate: 16000,
    channels: 1,
  } as const;
  void writer.write(audio); // fills the queue: nothing leaves before the socket opens
  const audioWritten = writer.write({ ...audio, audio: new Uint8Array(GOODBYE_BYTES) });
  const endWritten = writer.write({ type: "end", reason: "held goodbye" });
  void audioWritten.catch(() => {});
  void endWritten.catch(() => {});
  assert.equal(s.transport.ending, true, "the end waits in the writer");
  await s.clock.tick(OPEN_TIMEOUT_MS + CLOSE_TIMEOUT_MS);
  assert.deepEqual(await s.transport.closed, {
    code: 1000,
    reason: "held goodbye",
    initiator: "local",
  });
  assert.deepEqual(s.seen, []);
  assert.deepEqual(s.errors.map((e) => [e.code, e.fatal]), [["timeout", false]]);
  const stats = s.transport.stats;
  assert.equal(stats.audioBytesDroppedOnClose, 2 * GOODBYE_BYTES, "both writes, queued and held");
  assert.equal(stats.framesDroppedOnClose, 1, "the held end, counted once");
  writer.releaseLock();
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("an end written before open, then the caller's drop during the end's wait: the caller's end, as before", async () => {
  const s = connectingSession();
  sayGoodbye(s.transport);
  await s.clock.tick(OPEN_TIMEOUT_MS + 100);
  s.pair.client.terminate(); // the caller gone, before its socket ever opened
  assert.deepEqual(await s.transport.closed, { code: 1006, reason: "", initiator: "remote" });
  assert.deepEqual(s.seen, ["disconnected"]);
  assert.deepEqual(s.errors, [], "no timeout: the caller's drop ended it");
  const stats = s.transport.stats;
  assert.equal(stats.audioBytesDroppedOnClose, GOODBYE_BYTES);
  assert.equal(stats.framesDroppedOnClose, 1);
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("an end written before open, then the caller's close before the open bound: the caller's end", async () => {
  const s = connectingSession();
  sayGoodbye(s.transport);
  await s.clock.tick(OPEN_TIMEOUT_MS - 1);
  s.pair.client.close(1001, "gone");
  assert.deepEqual(await s.transport.closed, { code: 1001, reason: "gone", initiator: "remote" });
  assert.deepEqual(s.seen, ["disconnected"]);
  assert.deepEqual(s.errors, []);
  assert.equal(s.transport.stats.audioBytesDroppedOnClose, GOODBYE_BYTES);
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("an end written before open, then the bot's close during the end's wait: the close ends it, within its own bound", async () => {
  const s = connectingSession();
  s.pair.client.answersClose = false;
  sayGoodbye(s.transport);
  await s.clock.tick(OPEN_TIMEOUT_MS + 100);
  const closing = s.transport.close(4000, "bye");
  await s.clock.tick(CLOSE_TIMEOUT_MS); // past the end's wait: the close's own wait goes on
  assert.equal(s.settled(), false, "left to the close");
  await s.clock.tick(CLOSE_TIMEOUT_MS); // the close's wait to open, then its answer
  await closing;
  assert.deepEqual(await s.transport.closed, { code: 4000, reason: "bye", initiator: "local" });
  assert.deepEqual(s.errors.map((e) => [e.code, e.closeCode, e.message]), [
    ["timeout", 4000, `no close handshake within ${CLOSE_TIMEOUT_MS} ms`],
  ]);
  assert.deepEqual(s.seen, []);
  assert.equal(s.clock.pendingTimers, 0);
});
