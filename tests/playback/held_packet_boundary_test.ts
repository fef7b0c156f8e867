// A reply that follows another whose end the packetizer held (`fixedAudioPacketSize` 1000,
// 31.25 ms), against a far end that plays what it receives as it arrives.
//
// With `fixedAudioPacketSize` and a far end that answers marks (as Twilio's Media Streams does:
// its "mark" message comes back once the media sent before it has played, twilio.com/docs/voice/
// media-streams/websocket-messages, "Mark message"), a reply that begins while the last reply's
// tail waits in the packetizer for its packet: the mark of their boundary must not stand before
// that tail. There the far end, playing what it receives as it arrives, answers it at once (it
// ran dry before the tail), which confirms nothing of the tail: the last reply stays audible and
// its successor unstarted until the next mark past it is answered (before: r2 began at 201, at
// the end-of-speech mark, all 80 ms of it played), and the packet's wait reads as the far end's
// delay. It goes after the packet that carries the tail.
//
// With `fixedAudioPacketSize` and `lastPacket: "pad"` (the default), a reply's last packet is
// padded with silence, which the far end plays before anything sent after it (media is played in
// the order it is sent: twilio.com/docs/voice/media-streams/websocket-messages). On a far end with
// no whole-frame serializer (raw PCM here, Twilio-like), that silence is placed on the playout
// timeline as a whole-frame serializer's stretch-end padding is: a reply that follows is not
// announced (`speakingstart`, `heardMs`) before the far end, playing what it receives as it
// arrives, has played the padding.
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import type { SpeakingEvent } from "../../src/playback.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

const BYTES_PER_MS = 32; // PCM16, 16 kHz mono

/** 20 ms of response `id`, every byte `value`. */
const chunk = (id: string, value = 1): Frame => ({
  type: "audio",
  audio: new Uint8Array(20 * BYTES_PER_MS).fill(value),
  sampleRate: 16000,
  channels: 1,
  responseId: id,
});

/** 1000-byte packets of 20 ms chunks, no playout delay; the far end answers marks if `acks`. */
function session(acks: boolean) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(acks),
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    fixedAudioPacketSize: 1000, // 31.25 ms
    playoutDelayMs: 0,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  const events: string[] = [];
  transport.addEventListener("speakingstart", (e: SpeakingEvent) => {
    events.push(`${e.responseId} at ${clock.now()} heard ${e.heardMs}`);
  });
  return { clock, transport, farEnd, events };
}

Deno.test("held packet at a reply's end, marks answered: the next reply begins and is heard as it plays", async () => {
  const { clock, transport, farEnd, events } = session(true);
  await clock.tick(1);
  // r1, 60 ms in real time: a packet leaves at 21; its last 28.75 ms wait for the next packet.
  for (let n = 0; n < 3; n++) {
    transport.send(chunk("r1"));
    await clock.tick(20);
  }
  // r2 begins at 61, before the quiet time: its first chunk completes that packet, which the far
  // end, dry since 52.25, plays at once: r1's tail, then r2's first 2.5 ms from 89.75.
  for (let n = 0; n < 4; n++) {
    transport.send(chunk("r2"));
    await clock.tick(20);
  }
  assert.deepEqual(farEnd.arrivals.map((a) => a.at), [21, 61, 81, 121]);
  // The boundary's mark stands after that packet: answered as its end plays, 2.5 ms into r2.
  assert.deepEqual(events, ["r1 at 21 heard 0", "r2 at 92.25 heard 2.5"]);
  for (const time of [141, 146, 151]) {
    await clock.tick(time - clock.now());
    const played = farEnd.playedMs(1) - 60; // of r2: all played past r1's 60 ms
    assert.deepEqual(transport.playback, {
      speaking: true,
      responseId: "r2",
      heardMs: played,
      sentMs: 65,
      queuedMs: 15,
      acknowledged: true,
    });
  }
  await transport.close();
});

Deno.test("padded last packet: the next reply is told as the far end plays it, after the padding", async () => {
  const { clock, transport, farEnd, events } = session(false);
  await clock.tick(1);
  transport.send(chunk("r1", 1)); // 20 ms: leaves at the quiet time (41), padded by 11.25 ms
  await clock.tick(60);
  for (let n = 0; n < 4; n++) transport.send(chunk("r2", 2)); // written ahead, at 61
  await clock.tick(15);
  // The far end plays r1 from 41, its padding to 72.25, then r2.
  assert.equal(farEnd.played[1]?.at, 72.25);
  assert.deepEqual(events, ["r1 at 41 heard 0", "r2 at 72.25 heard 0"]);
  assert.equal(transport.playback.heardMs, farEnd.playedMs(2));
  const result = await transport.interrupt();
  assert.deepEqual([result.responseId, result.heardMs], ["r2", farEnd.playedMs(2)]);
  await transport.close();
});
