/**
 * A bot's mark mid-reply makes a whole-frames serializer (Vonage, Asterisk) pad the partial frame
 * it holds and send it with the mark. That silence plays at the far end after the speech before
 * the mark, and everything after it plays that much later: the playout timeline places it, so
 * that the next response is heard to begin where it plays (`speakingstart`, `heardMs`). With
 * `fixedAudioPacketSize` the padded frame goes in packets of that size, as all binary audio does
 * ("every binary audio message is cut into packets of exactly this many bytes",
 * src/transport_options.ts), the packets' own padding placed too.
 */
import assert from "node:assert/strict";
import {
  botAudio,
  openWholeFrameSession,
  refuseBinary,
  WHOLE_FRAME_CALLS,
} from "./fixtures/whole_frame_calls.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import type { FakeClock } from "../../src/testing/mod.ts";
import type { SpeakingEvent } from "../../src/playback.ts";

/** When each response began to play, by the transport's `speakingstart`. */
function speakingStarts(transport: WebSocketTransport, clock: FakeClock) {
  const starts: [string | undefined, number][] = [];
  transport.addEventListener("speakingstart", (event) => {
    starts.push([(event as SpeakingEvent).responseId, clock.now()]);
  });
  return starts;
}

// 1000 bytes (31.25 ms) of response "a": 25 ms chunks (800 bytes) make one 640-byte frame, 360
// bytes held, padded with 280 (8.75 ms) at the mark. With 500-byte packets the wire carries
// 2000 bytes before "b" (62.5 ms): 500, then the partial packet padded (140 + 360), then the
// mark's frame in two packets (640 + 360 of padding).
const CASES = [
  { packets: undefined, bStartsAt: 40, wire: [640, 640] },
  { packets: 500, bStartsAt: 62.5, wire: [500, 500, 500, 500] },
];

for (const call of WHOLE_FRAME_CALLS) {
  for (const { packets, bStartsAt, wire } of CASES) {
    const how = packets === undefined ? "without packets" : `with ${packets}-byte packets`;
    Deno.test(`${call.name} ${how}: a bot mark's padding is placed on the playout timeline`, async () => {
      const { clock, pair, transport } = await openWholeFrameSession(
        call,
        packets === undefined ? {} : { fixedAudioPacketSize: packets, lastPacket: "pad" },
      );
      const starts = speakingStarts(transport, clock);
      const binary: number[] = []; // the sizes of the binary messages before "b"'s
      let markSeen = false;
      pair.client.addEventListener("message", (event) => {
        const data = (event as MessageEvent).data;
        if (typeof data === "string") markSeen ||= data.includes("after-a");
        else if (!markSeen || binary.length < wire.length) {
          binary.push(new Uint8Array(data as ArrayBuffer).length);
        }
      });
      void transport.send(botAudio(1000, "a"));
      void transport.send({ type: "mark", name: "after-a" });
      void transport.send(botAudio(1000, "b"));
      await clock.tick(bStartsAt + 10);
      const heard = transport.playback;
      await clock.tick(3000);
      const stats = transport.stats;
      await transport.close();
      await clock.tick(60_000);
      assert.deepEqual(binary, wire, "the messages up to the mark's");
      // Before: "b" began at 31.25 ms (the padding placed nowhere), heard 10 ms more than played.
      assert.deepEqual(starts, [["a", 0], ["b", bStartsAt]]);
      assert.equal(heard.responseId, "b");
      assert.equal(heard.heardMs, 10);
      assert.equal(stats.audioBytesSent, 2000, JSON.stringify(stats));
      assert.equal(stats.audioBytesDroppedOnClose, 0, JSON.stringify(stats));
    });
  }
}

// With 500-byte packets the mark's frame goes as 500 bytes (360 of speech, 140 of padding), then
// a packet of padding alone (140 + 360), here refused: what left plays, 1500 bytes before "b"
// (46.875 ms), the refused packet nowhere.
for (const call of WHOLE_FRAME_CALLS) {
  Deno.test(`${call.name} with 500-byte packets: a bot mark's padding that left is placed, a refused packet of it not`, async () => {
    const { clock, pair, transport } = await openWholeFrameSession(call, {
      fixedAudioPacketSize: 500,
      lastPacket: "pad",
    });
    const starts = speakingStarts(transport, clock);
    const refused = refuseBinary(
      pair,
      (bytes) => refused.length === 0 && bytes.every((b) => b === 0),
    );
    void transport.send(botAudio(1000, "a"));
    void transport.send({ type: "mark", name: "after-a" });
    void transport.send(botAudio(1000, "b"));
    await clock.tick(3000);
    const stats = transport.stats;
    await transport.close();
    await clock.tick(60_000);
    assert.deepEqual(refused.map((bytes) => bytes.length), [500], "a packet of padding alone");
    // Before: "b" began at 42.5 ms (none of the mark's padding placed: a packet of it was lost).
    assert.deepEqual(starts, [["a", 0], ["b", 46.875]]);
    assert.equal(stats.audioBytesSent, 2000, JSON.stringify(stats));
  });
}

// With 500-byte packets the partial packet before the mark goes first, padded (140 bytes of
// speech, 360 of padding: 11.25 ms), here refused: none of its padding played. "b" follows a's
// 31.25 ms placed with its chunks (the refused packet's speech keeps its place, as any audio the
// socket refuses does, counted dropped) and the mark's frame's 640 bytes of padding that left.
for (const call of WHOLE_FRAME_CALLS) {
  Deno.test(`${call.name} with 500-byte packets: a refused partial packet's padding before a bot's mark is not placed`, async () => {
    const { clock, pair, transport } = await openWholeFrameSession(call, {
      fixedAudioPacketSize: 500,
      lastPacket: "pad",
    });
    const starts = speakingStarts(transport, clock);
    const refused = refuseBinary(
      pair,
      (bytes) => refused.length === 0 && bytes.includes(0) && bytes.includes(1),
    );
    void transport.send(botAudio(1000, "a"));
    void transport.send({ type: "mark", name: "after-a" });
    void transport.send(botAudio(1000, "b"));
    await clock.tick(3000);
    const stats = transport.stats;
    await transport.close();
    await clock.tick(60_000);
    assert.deepEqual(
      refused.map((bytes) => bytes.filter((b) => b === 1).length),
      [140],
      "the partial packet: speech, then padding",
    );
    // Before: "b" began at 62.5 ms (the refused packet's 11.25 ms of padding placed).
    assert.deepEqual(starts, [["a", 0], ["b", 51.25]]);
    assert.equal(stats.audioBytesDroppedOnClose, 140, JSON.stringify(stats));
  });
}
