// README, "Options", states each transport option's default. Most tests set the option they
// exercise, so each would pass with another default; those that rely on one (the quiet time and the
// one-chunk lead: tests/playback/short_reply_tail_test.ts; `sendAheadMs` from the serializer:
// tests/transport_options_serializer_lead_test.ts; `authorizeTimeoutMs`:
// tests/limits_security_defaults_test.ts) pin only those. Here every other default the table states
// is checked at its edge through the transport's behaviour, the option left out, so that a default
// that drifted from the README fails here. Each test names the README row it holds to.
import assert from "node:assert/strict";
import {
  type AudioFrame,
  type Frame,
  RawPcmSerializer,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import type { TransportOptions } from "../src/transport_options.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";

/** `audioOut`'s default rate (README: `{ sampleRate: 24000, channels: 1, chunkMs: 40 }`). */
const BYTES_PER_MS = 48;

/** A session on the defaults (no serializer given: raw PCM), but for the fake clock and `extra`. */
function session(extra: TransportOptions = {}, pair = new MemorySocketPair()) {
  const clock = new FakeClock();
  const transport = new WebSocketTransport(pair.server, { clock, ...extra });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  return { clock, pair, transport, errors };
}

function speech(ms: number, value = 1): AudioFrame {
  const audio = new Uint8Array(ms * BYTES_PER_MS).fill(value);
  return { type: "audio", audio, sampleRate: 24000, channels: 1 };
}

const binaryBytes = (sent: readonly unknown[]) =>
  sent.filter((m): m is Uint8Array => m instanceof Uint8Array).reduce((n, m) => n + m.length, 0);

Deno.test("README Options `audioOut` and `serializer`: raw PCM, 40 ms chunks, one chunk ahead", async () => {
  const s = session({ maxQueuedMs: 10_000 });
  s.transport.send(speech(400));
  await s.clock.tick(0);
  // One chunk of 40 ms at 24 kHz mono PCM16 is 1,920 bytes; chunk 0 and the one-chunk lead leave.
  const sizes = () => s.pair.server.sent.map((m) => (m as Uint8Array).length);
  assert.deepEqual(sizes(), [1920, 1920], "no 44-byte WAV header (`addWavHeader`: false)");
  await s.clock.tick(39);
  assert.equal(sizes().length, 2, "the third chunk waits for its slot");
  await s.clock.tick(1);
  assert.equal(sizes().length, 3);
  await s.transport.close();
  await s.clock.runAll();
});

Deno.test('README Options `lastPacket` ("pad") and `padByte` (0): a reply\'s partial last packet is filled with zeros', async () => {
  const s = session({ fixedAudioPacketSize: 1000 });
  s.transport.send(speech(50)); // 2,400 bytes: two whole packets and 400 bytes
  await s.clock.runAll();
  const packets = s.pair.server.sent as Uint8Array[];
  assert.deepEqual(packets.map((p) => p.length), [1000, 1000, 1000]);
  assert.ok(packets[2]!.subarray(0, 400).every((b) => b === 1), "the reply's last 400 bytes");
  assert.ok(packets[2]!.subarray(400).every((b) => b === 0), "padded with 0");
  await s.transport.close();
  await s.clock.runAll();
});

Deno.test("README Options `maxQueuedMs` (200): a write resolves once at most 200 ms of its audio waits", async () => {
  const s = session();
  const writer = s.transport.writable.getWriter();
  let settled = false;
  const write = writer.write(speech(1000)).then(() => (settled = true));
  // Chunk n leaves at (n - 1) × 40 ms (one chunk ahead): at 719 ms 19 of the 25 have left, 240 ms
  // still wait; at 720 ms the 20th leaves and 200 ms wait.
  await s.clock.tick(719);
  assert.equal(settled, false, "240 ms still queued");
  await s.clock.tick(1);
  assert.equal(settled, true, "200 ms queued: room");
  await write;
  writer.releaseLock();
  await s.transport.close();
  await s.clock.runAll();
});

Deno.test("README Options `maxInboundFrames` (500): a slow reader's 501st frame drops the oldest audio", async () => {
  const s = session();
  for (let i = 0; i < 500; i++) s.pair.client.send(new Uint8Array(2));
  await s.pair.server.waitFor(() => s.transport.stats.framesIn === 500);
  assert.equal(s.transport.stats.inboundAudioFramesDropped, 0, "500 frames are held");
  s.pair.client.send(new Uint8Array(2));
  await s.pair.server.waitFor(() => s.transport.stats.framesIn === 501);
  assert.equal(s.transport.stats.inboundAudioFramesDropped, 1);
  assert.deepEqual(s.errors.map((e) => [e.code, e.fatal]), [["backpressure", false]]);
  await s.transport.close();
  await s.clock.runAll();
});

Deno.test("README Options `maxMessageBytes` (1048576): 1 MiB is read, a byte more closes with 1009", async () => {
  const s = session();
  s.pair.client.send(new Uint8Array(1 << 20));
  await s.pair.server.waitFor(() => s.transport.stats.framesIn === 1);
  assert.equal(s.transport.stats.decodeErrors, 0);
  s.pair.client.send(new Uint8Array((1 << 20) + 1));
  const closed = await s.transport.closed;
  assert.equal(closed.code, 1009);
  assert.equal(closed.initiator, "local");
  assert.deepEqual(s.errors.map((e) => [e.code, e.fatal]), [["protocol", true]]);
  assert.equal(s.transport.stats.decodeErrors, 1, "counted in stats.decodeErrors");
  await s.clock.runAll();
});

Deno.test("README Options `maxBufferedBytes` (524288): sending waits once more than 512 KiB is unsent", async () => {
  const s = session({ sendAheadMs: 60_000, maxQueuedMs: 60_000 });
  s.pair.client.stall(); // a peer that stopped reading: what is sent stays in bufferedAmount
  s.transport.send(speech(20_000));
  await s.clock.tick(0);
  // 40 ms chunks of 1,920 bytes: after 273 (524,160 bytes, not above the bound) one more goes,
  // then nothing until the socket drains.
  assert.equal(s.pair.server.bufferedAmount, 274 * 1920);
  assert.equal(binaryBytes(s.pair.server.sent), 274 * 1920);
  s.pair.client.resume();
  await s.clock.tick(10); // the wait polls bufferedAmount every 10 ms (a WebSocket has no drain event)
  assert.ok(binaryBytes(s.pair.server.sent) > 274 * 1920, "sending goes on once drained");
  await s.transport.close();
  await s.clock.runAll();
});

Deno.test("README Options `openTimeoutMs` (10000): a socket still connecting at 10 s ends the session, 1006", async () => {
  const s = session({}, new MemorySocketPair({ connecting: true }));
  let settled = false;
  void s.transport.closed.then(() => (settled = true));
  await s.clock.tick(9_999);
  assert.equal(settled, false, "still waiting for the socket at 9,999 ms");
  await s.clock.tick(1);
  assert.deepEqual(await s.transport.closed, {
    code: 1006,
    reason: "the socket did not open within 10000 ms",
    initiator: "remote",
  });
  assert.deepEqual(s.errors.map((e) => [e.code, e.closeCode, e.fatal]), [["timeout", 1006, false]]);
  await s.clock.runAll();
});

Deno.test("README Options `closeTimeoutMs` (500): `close()` gives an unanswering peer 500 ms", async () => {
  const s = session();
  s.pair.client.answersClose = false;
  let done = false;
  const closing = s.transport.close(1000, "bye").then(() => (done = true));
  await s.clock.tick(499);
  assert.equal(done, false, "still waiting for the answer at 499 ms");
  await s.clock.tick(1);
  await closing;
  assert.deepEqual(await s.transport.closed, { code: 1000, reason: "bye", initiator: "local" });
  assert.deepEqual(s.errors.map((e) => e.code), ["timeout"]);
  await s.clock.runAll();
});

Deno.test("README Options `sendTimeoutMs` (5000): a serializer's set-up unfinished at 5 s ends the session, 1011", async () => {
  class NeverSetUp extends RawPcmSerializer {
    override setup(): Promise<void> {
      return new Promise<void>(() => {});
    }
  }
  const s = session({ serializer: new NeverSetUp() });
  let settled = false;
  void s.transport.closed.then(() => (settled = true));
  await s.clock.tick(4_999);
  assert.equal(settled, false, "the set-up still has time at 4,999 ms");
  await s.clock.tick(1);
  const closed = await s.transport.closed;
  assert.equal(closed.code, 1011);
  assert.deepEqual(s.errors.map((e) => [e.code, e.closeCode, e.fatal]), [["protocol", 1011, true]]);
  await s.clock.runAll();
});

/** A far end that acknowledges marks (or not) after a 100 ms network delay, on the defaults. */
function markingCall(farEndAcks: boolean) {
  const s = session({ serializer: new MarkingSerializer(), maxQueuedMs: 60_000 });
  const farEnd = new FakeFarEnd(s.clock, s.pair.client, {
    jitterMs: 100,
    bytesPerMs: BYTES_PER_MS,
    acks: farEndAcks,
  });
  return { ...s, farEnd };
}

Deno.test("README Options `markIntervalMs` (250) and `maxMarkIntervalMs` (1000): marks 250 ms apart while learning, spreading to 1 s", async () => {
  const c = markingCall(true);
  await c.clock.tick(0);
  c.transport.send(speech(10_000));
  await c.clock.tick(9_000);
  // Where each of the transport's marks fell in the audio: the ms of audio sent before it.
  const positions: number[] = [];
  let bytes = 0;
  for (const m of c.pair.server.sent) {
    if (m instanceof Uint8Array) bytes += m.length;
    else if (typeof m === "string" && m.startsWith("mark:")) positions.push(bytes / BYTES_PER_MS);
  }
  // One after the call's first chunk of speech (40 ms); while the far end's delay is learned, one
  // every 250 ms of audio, each at the first chunk boundary past it (250: 280, 530: 560); as the
  // acks agree the gap doubles (500, 1060: 1080) up to 1 s, and stays there (2080, 3080, …).
  assert.deepEqual(positions.slice(0, 6), [40, 280, 560, 1080, 2080, 3080]);
  const gaps = positions.slice(1).map((p, i) => p - positions[i]!);
  assert.equal(Math.max(...gaps), 1000, `never more than 1 s apart: ${gaps}`);
  await c.transport.close();
  await c.clock.runAll();
});

Deno.test("README Options `playoutTimeoutMs` (2000): an `end` waits 2 s past the estimated end for acks that never come", async () => {
  const c = markingCall(false);
  await c.clock.tick(0);
  c.transport.send(speech(500));
  c.transport.send({ type: "end" } as Frame);
  await c.clock.tick(2_400);
  assert.equal(c.farEnd.texts.find((t) => t.text === "end"), undefined, "still waiting at 2.4 s");
  await c.clock.tick(1_000);
  const end = c.farEnd.texts.find((t) => t.text === "end");
  assert.ok(end !== undefined, "hung up all the same");
  // Its last audio plays by 500 ms by the estimate; the wait's timer is swept (up to 20 ms late).
  assert.ok(end.at >= 500 + 2000 && end.at <= 500 + 2000 + 20, `end at ${end.at}`);
  assert.equal(c.errors[0]?.code, "timeout");
  assert.equal(
    binaryBytes(c.pair.server.sent),
    500 * BYTES_PER_MS,
    "no silence (`endSilenceMs`: 0)",
  );
  assert.equal((await c.transport.closed).code, 1000);
  await c.clock.runAll();
});
