// Hono on Workers, a bot that says its goodbye (audio, then an `end`) in `onSession`, before the
// client's first message: Hono hands the socket over only with that message, so the session's
// socket is still connecting. The open bound ended such a session as the caller's drop (1006 "the
// socket did not open…", `initiator` "remote"), and the client, once it spoke, was closed with
// 1001 and that reason: the goodbye was lost. The `end` is the bot's ending: a client speaking
// within `closeTimeoutMs` of the open bound hears the goodbye, then the end's close; one speaking
// later still reads the end's close (README, Hono: "it is then closed with the session's code and
// reason"), the session ended as the bot's end.
import assert from "node:assert/strict";
import { RawPcmSerializer } from "../src/serializers/raw_pcm.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { sessionBeforeTheClientSpoke } from "./adapters/_hono_workers_first_message.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 500;
/** 40 ms of 8 kHz mono PCM: two 20 ms chunks of 320 bytes. */
const GOODBYE_BYTES = 640;

/**
 * A session of Hono on (memory) Workers whose bot says its goodbye as it starts, whose client
 * speaks first once `speakAt` (ms) has passed; what the session and the client saw.
 */
async function goodbyeBeforeTheClientSpoke(speakAt: number) {
  const clock = new FakeClock();
  const events: string[] = [];
  const { session: transport, errors, client } = await sessionBeforeTheClientSpoke(speakAt, {
    clock,
    serializer: () => new RawPcmSerializer(),
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000, chunkMs: 20 },
    openTimeoutMs: OPEN_TIMEOUT_MS,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
  }, (transport) => {
    transport.addEventListener("disconnected", () => events.push("disconnected"));
    const audio = new Uint8Array(GOODBYE_BYTES);
    transport.send({ type: "audio", audio, sampleRate: 8000, channels: 1 });
    void transport.send({ type: "end", reason: "goodbye" });
  });
  client.binaryType = "arraybuffer";
  const read: string[] = [];
  client.addEventListener("message", (e) => {
    read.push(`binary ${((e as MessageEvent).data as ArrayBuffer).byteLength}`);
  });
  client.addEventListener("close", (e) => {
    const { code, reason } = e as CloseEvent;
    read.push(`close ${code} ${reason}`);
  });
  await clock.tick(Math.max(speakAt, OPEN_TIMEOUT_MS + CLOSE_TIMEOUT_MS) + 1000);
  const session = await transport.closed;
  const timeouts = errors.filter((e) => e.code === "timeout").map((e) => [e.closeCode, e.fatal]);
  return { session, read, timeouts, events, stats: transport.stats };
}

Deno.test("Hono on Workers: a goodbye said before the client spoke outlives the open bound: the client, speaking within closeTimeoutMs more, hears it, then the end's close", async () => {
  const s = await goodbyeBeforeTheClientSpoke(OPEN_TIMEOUT_MS + 100);
  assert.deepEqual(s.session, { code: 1000, reason: "goodbye", initiator: "local" });
  assert.deepEqual(s.read, ["binary 320", "binary 320", "close 1000 goodbye"]);
  assert.deepEqual(s.timeouts, []);
  assert.deepEqual(s.events, []);
  assert.equal(s.stats.audioBytesSent, GOODBYE_BYTES);
});

Deno.test("Hono on Workers: a goodbye said before a client that spoke too late ends the session as the bot's end, whose close the client reads", async () => {
  const s = await goodbyeBeforeTheClientSpoke(OPEN_TIMEOUT_MS + CLOSE_TIMEOUT_MS + 50);
  assert.deepEqual(s.session, { code: 1000, reason: "goodbye", initiator: "local" });
  assert.deepEqual(s.read, ["close 1000 goodbye"], "nothing of the goodbye: it was never said");
  assert.deepEqual(s.timeouts, [[1000, false]]);
  assert.deepEqual(s.events, [], "no disconnected: the bot ended it");
  assert.equal(s.stats.audioBytesDroppedOnClose, GOODBYE_BYTES);
  assert.equal(s.stats.framesDroppedOnClose, 1);
});
