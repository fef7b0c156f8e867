// Inbound jitter is the network's, as RFC 3550 §6.4.1 defines it: computed from each packet's
// arrival time and media time, in the order packets arrived. The caller is a Twilio Media Stream
// built from Twilio's "Media Streams - WebSocket Messages" documentation
// (https://www.twilio.com/docs/voice/media-streams/websocket-messages: a `start`, then `media`
// messages whose `media.chunk` counts from 1 and whose `media.timestamp` is ms since the stream
// began, both strings), on a fake clock, so every arrival time is the test's own.
import assert from "node:assert/strict";
import { Prng } from "../fuzz/prng.ts";
import {
  arrivals,
  assertNoJitter,
  assertRfcFigures,
  rfc3550Jitter,
  smoothed,
  twilioJitterCall,
} from "./_rfc3550_arrivals.ts";

Deno.test("`SessionMetrics` inbound jitter: one lost packet on a perfect network is no jitter", async () => {
  // Packets every 20 ms exactly; packet 25 never comes. The reorder stage holds 26–28 until its
  // window (60 ms) passes, fills 20 ms of silence and hands them on: none of that is the network's.
  const { inbound, stats } = await twilioJitterCall(
    arrivals(50, () => 0).filter((a) => a.chunk !== 25),
  );
  assert.equal(stats.inboundMediaGapsFilled, 1, "the loss was filled");
  assertNoJitter(inbound);
});

Deno.test("`SessionMetrics` inbound jitter: a seeded jitter pattern reads RFC 3550's figure", async () => {
  // Each packet up to 19 ms late: transit varies, the order never changes.
  const prng = new Prng(3550);
  const { inbound, stats, received } = await twilioJitterCall(
    arrivals(200, () => prng.next() * 19),
  );
  assert.equal(stats.inboundMediaReordered, 0);
  const rfc = rfc3550Jitter(received);
  assert.ok(rfc.jitter > 1, `a pattern with jitter to measure (${rfc.jitter} ms)`);
  assertRfcFigures(inbound, received);
});

Deno.test("`SessionMetrics` inbound jitter: reordered packets count as RFC 3550 counts them, in arrival order", async () => {
  // Up to 50 ms late: a packet often comes after the one or two behind it, and the reorder stage
  // (60 ms window) puts it back in place. RFC 3550 takes each packet's D from the one that
  // arrived before it; the frames are handed on in media order, later than some arrived.
  const prng = new Prng(1889);
  const { inbound, stats, received } = await twilioJitterCall(
    arrivals(200, () => prng.next() * 50),
  );
  assert.ok(stats.inboundMediaReordered >= 20, `reordered ${stats.inboundMediaReordered}`);
  assert.equal(stats.inboundMediaLate + stats.inboundMediaGapsFilled, 0, "every packet placed");
  const rfc = rfc3550Jitter(received);
  // The same packets taken in media order give another figure: the pattern tells the two apart.
  const inMediaOrder = smoothed([...received].sort((a, b) => a.media - b.media));
  assert.ok(Math.abs(inMediaOrder.jitter - rfc.jitter) > 0.05, `${inMediaOrder.jitter} ms`);
  assertRfcFigures(inbound, received);
});

Deno.test("`SessionMetrics` inbound jitter: a new stream (`start` again) after a short one is no jitter", async () => {
  // Twilio's documentation: each stream's `media.timestamp` counts from its own start. 30 packets
  // (600 ms) on a perfect network, a `start` and 30 more from 120 ms after the last: no packet's
  // transit differs from the one before it in its stream. Across the streams, media time went
  // back 580 ms while 120 ms passed: that difference is no network's (it read 44 ms of jitter).
  const first = arrivals(30, () => 0);
  const second = arrivals(30, () => 0).map((a, i) => ({
    ...a,
    at: a.at + 700,
    newStream: i === 0,
  }));
  const { inbound } = await twilioJitterCall([...first, ...second]);
  assert.equal(inbound.frames, 60);
  assertNoJitter(inbound);
});
