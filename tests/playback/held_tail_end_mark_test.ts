// A reply's end held back (the packetizer's partial packet with `fixedAudioPacketSize`, or the
// chunker's partial chunk) leaves at the pump's tail timer, the quiet time after the queue ran
// dry. The transport's end-of-speech mark went a quiet time after that: the far end had long
// played the tail and answered the mark as it came, an answer taken as a bound of the lag (see
// late_end_mark_lag_test.ts), which `heardMs` went by until the next reply's first answered mark:
// short by up to the quiet time less the tail (31.25 ms of 1,000-byte packets, 80 ms of a 10 ms
// partial chunk under a 100 ms lead). The quiet time has passed once the tail leaves: its end
// mark goes right after it, before its place plays, and its answer reads the lag.
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), playing what arrives at once and answering a
// mark as Twilio does, once the audio sent before it has played
// (twilio.com/docs/voice/media-streams/websocket-messages, "Mark message").
import assert from "node:assert/strict";
import type { WebSocketTransport } from "../../mod.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { packetCall } from "../_packet_call.ts";
import { markingSession } from "./_late_end_mark_replies.ts";

/**
 * Two replies (bytes 1, then 2) of five chunks written in real time, the last `lastMs` long, a
 * second apart: how far `heardMs` trailed what the far end had played of the second, after each.
 */
async function replies(
  call: { clock: FakeClock; transport: WebSocketTransport; farEnd: FakeFarEnd },
  lastMs: number,
) {
  const { clock, transport, farEnd } = call;
  await clock.tick(1);
  const short: number[] = [];
  for (let value = 1; value <= 2; value++) {
    for (let n = 0; n < 5; n++) {
      const ms = n === 4 ? lastMs : 20;
      transport.send({
        type: "audio",
        audio: new Uint8Array(ms * 32).fill(value),
        sampleRate: 16000,
        channels: 1,
        responseId: `r${value}`,
      });
      await clock.tick(20);
      const playback = transport.playback;
      if (value === 2 && playback.speaking) short.push(farEnd.playedMs(2) - playback.heardMs);
    }
    await clock.tick(1000);
  }
  await transport.close();
  return short;
}

for (const [packetBytes, lastPacket] of [[1000, "pad"], [1000, "short"], [700, "short"]] as const) {
  Deno.test(`heardMs of a reply after one whose partial packet was held is what the far end played (${packetBytes}-byte packets, "${lastPacket}")`, async () => {
    const call = packetCall({
      serializer: new MarkingSerializer(),
      packetBytes,
      lastPacket,
      acks: true,
    });
    call.transport.receive(() => {}); // the marks' answers are read
    const short = await replies(call, 20);
    assert.ok(short.length >= 4, `reply 2 was audible (${short.length} reads)`);
    // Before: up to 6.25 ("pad", its padding plays before the mark) and 20–31.25 ("short") ms
    // short, by the first end mark's bound.
    for (const ms of short) assert.ok(Math.abs(ms) < 1e-6, `heardMs short by ${short}`);
  });
}

for (const sendAheadMs of [20, 100]) {
  Deno.test(`heardMs of a reply after one whose partial chunk was held is what the far end played (lead ${sendAheadMs} ms)`, async () => {
    const clock = new FakeClock(1000);
    const { pair, transport } = markingSession(clock, sendAheadMs);
    const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: 32 });
    // 90 ms replies: the chunker holds each one's last 10 ms until the tail timer.
    const short = await replies({ clock, transport, farEnd }, 10);
    assert.ok(short.length >= 4, `reply 2 was audible (${short.length} reads)`);
    // Before: the end mark a quiet time (40, 100 ms) after the 10 ms tail left, a bound of 30 or
    // 90 ms: 10–30 ms short (lead 20), 20–80 ms (lead 100).
    for (const ms of short) assert.ok(Math.abs(ms) < 1e-6, `heardMs short by ${short}`);
  });
}
