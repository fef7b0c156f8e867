// Inbound jitter from every packet that arrives, those the reorder stage drops too, as RFC 3550
// §6.4.1 measures it: "the interarrival jitter J is defined to be the mean deviation (smoothed
// absolute value) of the difference D in packet spacing at the receiver compared to the sender
// for a pair of packets", computed "as each data packet i is received", in order of arrival.
//
// The caller is a Twilio Media Stream built from Twilio's "Media Streams - WebSocket Messages"
// documentation (https://www.twilio.com/docs/voice/media-streams/websocket-messages: a `start`,
// then `media` messages whose `media.chunk` counts from 1 and whose `media.timestamp` is ms since
// the stream began, both strings), read by the `TwilioSerializer` as a transport reads it: its
// context tells the session's observers of each packet (`tellingInboundPackets`), and each frame it
// returns goes to them as `inboundAudio`, on a fake clock, so every arrival time is the test's own.
import assert from "node:assert/strict";
import { SessionMetrics } from "../../mod.ts";
import { ObserverList } from "../../src/_observer_list.ts";
import { tellingInboundPackets } from "../../src/_serializer_context_checks.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import type { InboundPacketInfo, SessionObserver } from "../../src/session_observer.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { emptyStats } from "../../src/transport_stats.ts";
import { recordingContext } from "../serializers/fixtures/recording_context.ts";
import {
  type Arrival,
  arrivals,
  assertRfcFigures,
  media,
  type Received,
  start,
  twilioJitterCall,
} from "./_rfc3550_arrivals.ts";

/**
 * A Twilio session as the transport runs one, with metrics attached and `extra` observing it; the
 * caller's packets arrive at `arrivals`' times (in that order, whatever their numbers). Returns
 * the metrics' figures, the stage's counters and what arrived as RFC 3550 sees it.
 */
async function call(arrivals: readonly Arrival[], extra?: SessionObserver) {
  const clock = new FakeClock();
  const stats = emptyStats();
  const observers = new ObserverList((error) => {
    throw error;
  });
  const session = Object.assign(new EventTarget(), {
    stats,
    clock,
    observe(observer: SessionObserver) {
      observer.observing?.(session);
      return observers.add(observer);
    },
  });
  const metrics = SessionMetrics.attach(session, { clock, speech: false });
  if (extra !== undefined) session.observe(extra);
  const serializer = new TwilioSerializer();
  const { context, reported } = recordingContext({
    clock,
    count: (counter, amount = 1) => void (stats[counter] += amount),
    inboundPacket: tellingInboundPackets(observers),
  });
  serializer.bind(context);
  serializer.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  /** What the transport does with a message: deserialize it, tell each audio frame as it goes. */
  const receive = (message: string) => {
    const result = serializer.deserialize(message) as Frame | Frame[] | null;
    for (const frame of [result ?? []].flat()) {
      if (frame.type === "audio") observers.inboundAudio(frame as AudioFrame, clock.now());
    }
  };
  receive(start());
  const received: Received[] = [];
  let stream = 0;
  for (const { chunk, at, newStream } of [...arrivals].sort((a, b) => a.at - b.at)) {
    await clock.tick(at - clock.now());
    if (newStream) {
      receive(start());
      stream++;
    }
    received.push({ arrival: clock.now(), media: 20 * (chunk - 1), stream });
    receive(media(chunk));
  }
  assert.deepEqual(reported, [], "nothing reported");
  return { inbound: metrics.snapshot().inbound, stats, received };
}

Deno.test("`SessionMetrics` inbound jitter: packets later than the reorder window count, as RFC 3550 counts them", async () => {
  // Every tenth packet 100 ms late, past the stage's 60 ms window: it fills a gap where each was
  // due and drops it when it comes. Measured from the frames, the network read 0 ms of jitter.
  const { inbound, stats, received } = await call(
    arrivals(200, (chunk) => (chunk % 10 === 5 ? 100 : 0)),
  );
  assert.equal(stats.inboundMediaLate, 20, "each late packet dropped");
  assert.equal(stats.inboundMediaGapsFilled, 20, "and its place filled");
  assert.ok(inbound.jitterMs! > 20, `jitter ${inbound.jitterMs} ms`);
  assertRfcFigures(inbound, received);
});

Deno.test("`SessionMetrics` inbound jitter: duplicates count, as RFC 3550 counts every packet received", async () => {
  // Every fifth packet comes twice, the copy 30 ms after the original (within the window: the
  // stage drops it as a duplicate), and the stream's first packet again after the tenth: a media
  // time of 0 again is a duplicate here, not a new stream.
  const list = arrivals(100, () => 0);
  for (let chunk = 5; chunk <= 100; chunk += 5) {
    list.push({ chunk, at: 1000 + 20 * (chunk - 1) + 30 });
  }
  list.push({ chunk: 1, at: 1000 + 20 * 9 + 10 });
  const { inbound, stats, received } = await call(list);
  assert.equal(stats.inboundMediaDuplicates + stats.inboundMediaLate, 21, "each copy dropped");
  assert.equal(inbound.frames, 100);
  assert.ok(inbound.maxJitterMs! > 10, `max jitter ${inbound.maxJitterMs} ms`);
  assertRfcFigures(inbound, received);
});

Deno.test("`SessionMetrics` inbound jitter: a new stream's first packet has no difference from the old stream's", async () => {
  // 30 packets, a `start` 120 ms after the last and 30 more, every packet of the second stream
  // sent twice (the copy 10 ms later): the copy of its first packet is no third stream.
  const first = arrivals(30, () => 0);
  const second = arrivals(30, () => 0).map((a, i) => ({
    ...a,
    at: a.at + 700,
    newStream: i === 0,
  }));
  const copies = arrivals(30, () => 10).map((a) => ({ ...a, at: a.at + 700 }));
  const { inbound, received } = await call([...first, ...second, ...copies]);
  assert.equal(inbound.frames, 60);
  assertRfcFigures(inbound, received);
});

Deno.test("`OrderedMedia` tells each packet as it arrives, in one object reused (observers copy)", async () => {
  const told: Array<Readonly<InboundPacketInfo>> = [];
  const copies: InboundPacketInfo[] = [];
  const frames: number[] = [];
  const observer: SessionObserver = {
    inboundPacket: (packet) => {
      told.push(packet);
      copies.push({ ...packet });
    },
    // Each frame after its packet was told: the packets before it in arrival order were.
    inboundAudio: () => void frames.push(copies.length),
  };
  // 1, 3, 2 (put back in order), 3 again (a duplicate), then 5 and 6 without 4 (a lost packet).
  const order = [1, 3, 2, 3, 5, 6];
  await call(order.map((chunk, i) => ({ chunk, at: 1000 + 20 * i })), observer);
  assert.deepEqual(
    copies,
    order.map((chunk, i) => ({
      arrivedAt: 1000 + 20 * i,
      mediaMs: 20 * (chunk - 1),
      streamStart: i === 0,
    })),
  );
  assert.ok(told.every((packet) => packet === told[0]), "one object for every packet");
  assert.deepEqual(frames, [1, 3, 3], "frames 1, then 2 and 3 once 2 came (4–6 held)");
});

Deno.test("`SerializerContext.inboundPacket` throws a RangeError at a serializer telling a time that is no finite number", () => {
  const observers = new ObserverList((error) => {
    throw error;
  });
  const told: number[] = [];
  observers.add({ inboundPacket: (packet) => void told.push(packet.mediaMs) });
  const tell = tellingInboundPackets(observers);
  assert.throws(
    () => tell({ arrivedAt: NaN, mediaMs: 20, streamStart: false }),
    (error) => error instanceof RangeError && /arrivedAt NaN/.test(error.message),
  );
  assert.throws(
    () => tell({ arrivedAt: 1000, mediaMs: Infinity, streamStart: false }),
    RangeError,
  );
  tell({ arrivedAt: 1000, mediaMs: 40, streamStart: false });
  assert.deepEqual(told, [40], "only the good one told");
});

Deno.test("`WebSocketTransport` tells its observers each packet its serializer reports: 10 % of packets past the window read RFC 3550's figure", async () => {
  // The same network as above, through a transport: its serializer context reports the packets.
  const late = arrivals(200, (chunk) => (chunk % 10 === 5 ? 100 : 0));
  const { inbound, stats, received } = await twilioJitterCall(late);
  assert.equal(stats.inboundMediaLate, 20);
  assertRfcFigures(inbound, received);
});
