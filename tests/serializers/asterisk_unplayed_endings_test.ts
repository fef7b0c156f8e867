// `stats.audioMsUnplayedAtEnd` for every way a session ends while the bot's own PAUSE_MEDIA holds
// Asterisk's playout. docs.asterisk.org, Configuration → Channel Drivers → WebSocket, "Commands":
// `PAUSE_MEDIA` "The channel driver will then start playing silence to the caller but keep the
// data you've already sent in the queue", until `CONTINUE_MEDIA`. asterisk/asterisk
// channels/chan_websocket.c (f0c1c1a7): `dequeue_frame` plays nothing while `queue_paused`;
// `handle_command`'s HANGUP hangs the channel up at once (`websocket_request_hangup`), and
// `read_from_ws_and_queue` does so when the socket closes or fails: the queue is never played.
//
// The far end is that channel (fixtures/pausing_asterisk.ts: JSON control, slin16 640-byte 20 ms
// frames, one played a tick; the bot's 20 ms chunks are whole frames, so what it queued is what
// it was sent and did not play). The audio it holds left the transport (`audioBytesSent` has it)
// and no byte counter can hold it: the counter does, once, whatever ended the call. Before, only
// an `end` that gave up waiting for playout counted it; a `cancel`, `close()`, the far end's close
// or the socket dropping threw the same audio away uncounted.
import assert from "node:assert/strict";
import type { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import { asterisk16kTransport } from "./fixtures/asterisk_channel_playout.ts";
import { pausingAsterisk } from "./fixtures/pausing_asterisk.ts";
import { filledPcm16k } from "./fixtures/filled_pcm_16k.ts";

/**
 * A 12 s reply from 10 ms, the bot's PAUSE_MEDIA (urgent) at 1 s, 2 s of the pause passed (within
 * its bound, `sendTimeoutMs`, 5 s): about 1 s played, about 1 s more sent (`sendAheadMs`) and held
 * in Asterisk's queue, the rest queued here. `continues`: the bot's CONTINUE_MEDIA ended the pause
 * a tick before.
 */
async function pausedCall(continues = false) {
  const { clock, pair, transport } = asterisk16kTransport({ sendAheadMs: 1000, maxQueuedMs: 2000 });
  const errors: string[] = [];
  transport.addEventListener("error", (e) => void errors.push(String(e.error)));
  const far = pausingAsterisk(clock, pair);
  transport.receive(() => {});
  await clock.tick(10);
  void transport.send({ ...filledPcm16k(12_000 * 32, 0x11), responseId: "r1" });
  await clock.tick(990);
  void transport.send({ type: "message", message: { command: "PAUSE_MEDIA" }, urgent: true });
  await clock.tick(continues ? 1980 : 2000);
  if (continues) {
    void transport.send({ type: "message", message: { command: "CONTINUE_MEDIA" }, urgent: true });
    await clock.tick(20);
  }
  return { clock, pair, transport, far, errors };
}

/** How the session ends, each from the paused call. */
const ENDINGS: Record<string, (t: WebSocketTransport, pair: MemorySocketPair) => void> = {
  // The HANGUP leaves at once: Asterisk hangs up with the queue unplayed.
  "a cancel frame": (transport) => void transport.send({ type: "cancel" }),
  "transport.close()": (transport) => void transport.close(),
  // The caller hung up: chan_websocket closes the socket.
  "the far end's close": (_, pair) => pair.client.close(1000),
  // A network failure: no close frame (1006), the channel hangs up with the socket.
  "the socket dropping": (_, pair) => pair.client.terminate(),
};

/** Ticks until the session is over (at most a minute). */
async function untilClosed(clock: FakeClock, transport: WebSocketTransport): Promise<void> {
  let closed = false;
  void transport.closed.then(() => closed = true);
  for (let i = 0; i < 120 && !closed; i++) await clock.tick(500);
  assert.ok(closed, "the session ended");
}

for (const [name, ending] of Object.entries(ENDINGS)) {
  Deno.test(`Asterisk PAUSE_MEDIA: ${name} during the bot's pause counts what Asterisk held unplayed in audioMsUnplayedAtEnd, once`, async () => {
    const { clock, pair, transport, far } = await pausedCall();
    const heldMs = far.queuedFrames * 20;
    assert.ok(heldMs >= 800, `Asterisk holds ${heldMs} ms`);
    ending(transport, pair);
    await untilClosed(clock, transport);
    // Nothing more played: all that was queued there was sent and never heard.
    assert.equal(far.queuedFrames * 20, heldMs);
    assert.equal(transport.stats.audioBytesSent / 32, far.played.length * 20 + heldMs);
    const counted = transport.stats.audioMsUnplayedAtEnd;
    // By the playout estimate: within a few frames of what the far end held.
    assert.ok(Math.abs(counted - heldMs) <= 60, `${counted} ms counted, ${heldMs} ms held`);
    // A close after it (the transport's own after a cancel, a second here) counts nothing more.
    await transport.close();
    assert.equal(transport.stats.audioMsUnplayedAtEnd, counted);
    await clock.tick(60_000);
  });
}

Deno.test("Asterisk PAUSE_MEDIA: a close while an end waits for the paused audio to play counts it once, as the close ends the call", async () => {
  const { clock, transport, far, errors } = await pausedCall();
  void transport.send({ type: "end" });
  await clock.tick(1000); // the end waits on playout (the hold's bound, then playoutTimeoutMs)
  const heldMs = far.queuedFrames * 20;
  await transport.close();
  await untilClosed(clock, transport);
  const counted = transport.stats.audioMsUnplayedAtEnd;
  assert.ok(Math.abs(counted - heldMs) <= 60, `${counted} ms counted, ${heldMs} ms held`);
  // The end never said its goodbye: no "hanging up" error, the `end` dropped at the close.
  assert.ok(!errors.some((e) => /hanging up/.test(e)), errors.join("\n"));
  assert.equal(transport.stats.framesDroppedOnClose, 1);
  await clock.tick(60_000);
});

Deno.test("Asterisk PAUSE_MEDIA: an end that hangs up on the paused audio, then the close it asks for, count it once", async () => {
  const { clock, transport, far, errors } = await pausedCall();
  void transport.send({ type: "end" });
  await untilClosed(clock, transport);
  // The far end held what it had at the HANGUP; the error and the counter say the same, once.
  const hungUpHolding = far.unplayedAtHangup! * 20;
  const said = Number(/hanging up, (\d+) ms/.exec(errors.join("\n"))?.[1]);
  assert.equal(transport.stats.audioMsUnplayedAtEnd, said);
  assert.ok(Math.abs(said - hungUpHolding) <= 100, `${said} ms said, ${hungUpHolding} ms held`);
  await clock.tick(60_000);
});

Deno.test("Asterisk PAUSE_MEDIA: a session that ends after the bot's CONTINUE_MEDIA counts nothing unplayed", async () => {
  for (const ending of Object.values(ENDINGS)) {
    const { clock, pair, transport } = await pausedCall(true);
    ending(transport, pair);
    await untilClosed(clock, transport);
    assert.equal(transport.stats.audioMsUnplayedAtEnd, 0);
    await clock.tick(60_000);
  }
});

Deno.test("Asterisk PAUSE_MEDIA: a cancel while the serializer holds a partial frame counts only what left, not that frame (counted dropped on close)", async () => {
  // 30 ms chunks on 20 ms frames: after every other chunk the serializer holds 10 ms for the next.
  let partialSeen = false;
  // The hold stops sending `sendAheadMs` past where it began: an even, then an odd number of chunks.
  for (const sendAheadMs of [1000, 1030]) {
    const { clock, pair, transport } = asterisk16kTransport({
      audioOut: { sampleRate: 16000, chunkMs: 30 },
      sendAheadMs,
      maxQueuedMs: 2000,
    });
    let heldAt = NaN;
    transport.observe({ playoutHeld: ({ held, position }) => void (held && (heldAt = position)) });
    const far = pausingAsterisk(clock, pair);
    transport.receive(() => {});
    await clock.tick(10);
    void transport.send({ ...filledPcm16k(12_000 * 32, 0x11), responseId: "r1" });
    await clock.tick(990);
    void transport.send({ type: "message", message: { command: "PAUSE_MEDIA" }, urgent: true });
    await clock.tick(2000);
    const handedOver = transport.stats.audioBytesSent;
    const partial = handedOver % 640 !== 0;
    partialSeen ||= partial;
    void transport.send({ type: "cancel" });
    await untilClosed(clock, transport);
    // What left is whole frames, all the far end played or holds; the partial frame is not sent.
    const leftMs = transport.stats.audioBytesSent / 32;
    assert.equal(leftMs, (far.played.length + far.queuedFrames) * 20);
    assert.equal(transport.stats.audioBytesSent, handedOver - (partial ? handedOver % 640 : 0));
    // Counted from where the hold began to what left: exactly, the partial frame not among it.
    assert.equal(transport.stats.audioMsUnplayedAtEnd, Math.round(leftMs - heldAt));
    await clock.tick(60_000);
  }
  assert.ok(partialSeen, "one of the cancels came while a partial frame was held");
});
