// Deno: a bot that writes its goodbye (audio, then an `end`) while the route still holds back the
// upgrade's 101 (awaiting something of its own): `Deno.upgradeWebSocket`'s socket opens only once
// the response is sent. The open bound (`openTimeoutMs`) ended such a session as the caller's drop
// (1006, "the socket did not open…", `initiator` "remote"), and the goodbye was lost. The bound now
// leaves a session whose bot wrote its `end` be, `closeTimeoutMs` more: a 101 within it opens the
// socket and the caller hears the goodbye, then the end's close (1000 and its reason); a 101 later
// still finds the session ended as the bot's end (1000, its reason, `initiator` "local"), and the
// caller is sent that close. A real server on 127.0.0.1 port 0; the client a raw TCP upgrade
// (RFC 6455 §4.1), as its 101 is late on purpose, reading the server's frames as RFC 6455 §5.2 lays
// them out (a server's unmasked; a 16-bit extended length for 126).
import assert from "node:assert/strict";
import { RawPcmSerializer } from "../src/serializers/raw_pcm.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { within } from "./_ws_client.ts";
import { serveLateUpgrade } from "./adapters/_late_upgrade_server.ts";
import { clientClose, describeFrame } from "./adapters/_raw_frame_reader.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 500;
/** 40 ms of 8 kHz mono PCM: two 20 ms chunks of 320 bytes. */
const GOODBYE_BYTES = 640;

/** A server whose route says the bot's goodbye at once and holds the 101 until `send101`. */
async function goodbyeBeforeLateUpgrade() {
  const late = await serveLateUpgrade(
    {
      clock: new FakeClock(),
      serializer: new RawPcmSerializer(),
      audioOut: { sampleRate: 8000, chunkMs: 20 },
      openTimeoutMs: OPEN_TIMEOUT_MS,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
    },
    (transport) => {
      const audio = new Uint8Array(GOODBYE_BYTES);
      transport.send({ type: "audio", audio, sampleRate: 8000, channels: 1 });
      void transport.send({ type: "end", reason: "goodbye" });
    },
  );
  const { transport } = late;
  assert(transport);
  return { ...late, transport };
}

Deno.test("Deno: a goodbye written before a 101 that goes out within closeTimeoutMs of the open bound is heard, then the end's close", async () => {
  const late = await goodbyeBeforeLateUpgrade();
  try {
    const connected = new Promise<void>((resolve) =>
      late.transport.addEventListener("connected", () => resolve())
    );
    await late.clock.tick(OPEN_TIMEOUT_MS + 100);
    assert.equal(late.errors.length, 0, "the open bound left the session to its end");
    assert.equal(await late.send101(), "HTTP/1.1 101 Switching Protocols");
    await within(connected, 3000, "the socket's open");
    // Paced out, played, then the goodbye's close: ticked until the close has been sent.
    for (let i = 0; i < 100 && late.transport.socket.readyState === 1; i++) {
      await late.clock.tick(10);
    }
    const frames: string[] = [];
    for (let i = 0; i < 3; i++) {
      frames.push(describeFrame(await within(late.reader.frame(), 3000, "a frame")));
    }
    assert.deepEqual(frames, ["binary 320", "binary 320", "close 1000 goodbye"]);
    await late.conn.write(clientClose(1000, "goodbye"));
    const closed = await within(late.transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, { code: 1000, reason: "goodbye", initiator: "local" });
    assert.deepEqual(late.errors, []);
    assert.deepEqual(late.seen, ["connected"]);
    assert.equal(late.transport.stats.audioBytesSent, GOODBYE_BYTES);
  } finally {
    await late.stop();
  }
});

Deno.test("Deno: a goodbye written before a 101 that never went out in time ends the session as the bot's end; a later 101 gets its close", async () => {
  const late = await goodbyeBeforeLateUpgrade();
  try {
    await late.clock.tick(OPEN_TIMEOUT_MS);
    assert.equal(late.errors.length, 0, "the open bound left the session to its end");
    await late.clock.tick(CLOSE_TIMEOUT_MS);
    const closed = await within(late.transport.closed, 3000, "the session's end");
    assert.deepEqual(closed, { code: 1000, reason: "goodbye", initiator: "local" });
    assert.deepEqual(late.errors.map((e) => [e.code, e.closeCode, e.fatal]), [
      ["timeout", 1000, false],
    ]);
    assert.deepEqual(late.seen, [], "no disconnected: the bot ended it");
    const stats = late.transport.stats;
    assert.equal(stats.audioBytesDroppedOnClose, GOODBYE_BYTES);
    assert.equal(stats.framesDroppedOnClose, 1);
    assert.equal(await late.send101(), "HTTP/1.1 101 Switching Protocols");
    const first = describeFrame(await within(late.reader.frame(), 3000, "the first frame"));
    assert.equal(first, "close 1000 goodbye", "the bot's end's close, nothing of the goodbye");
    await late.clock.tick(CLOSE_TIMEOUT_MS); // the caller never answers: dropped
    assert.equal(await within(late.reader.ended(), 3000, "the drop"), true);
  } finally {
    await late.stop();
  }
});
