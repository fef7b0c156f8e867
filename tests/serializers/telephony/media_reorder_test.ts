import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type MediaGap,
  type MediaPacket,
  MediaReorder,
  type MediaReorderCounts,
  type MediaReorderOptions,
  type MediaReorderOutput,
} from "../../../src/serializers/telephony/media_reorder.ts";
import {
  type Frame,
  type FrameSerializer,
  type SerializerContext,
  TransportError,
  WebSocketTransport,
} from "../../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../../src/testing/mod.ts";
import { recordedReorderOutput } from "./_ordered_media_stage.ts";

/** A stage by sequence number plus everything it delivered, as `{packet: n}` / `{gap: ms}`. */
function stage(options: MediaReorderOptions = {}) {
  const reorder = new MediaReorder<number>(options);
  const { events, output } = recordedReorderOutput();
  const push = (sequence: number, durationMs = 20) =>
    reorder.push({ sequence, durationMs, payload: sequence }, output);
  const take = () => events.splice(0);
  return { reorder, output, push, take };
}

const zero: MediaReorderCounts = {
  inboundMediaReordered: 0,
  inboundMediaDuplicates: 0,
  inboundMediaLate: 0,
  inboundMediaGapsFilled: 0,
  inboundMediaGapMs: 0,
  inboundMediaResyncs: 0,
};

Deno.test("`MediaReorder` delivers packets that arrive in order at once, holding nothing", () => {
  const s = stage();
  for (let sequence = 1; sequence <= 50; sequence++) {
    s.push(sequence);
    assert.deepEqual(s.take(), [{ packet: sequence }]);
    assert.equal(s.reorder.pending, 0);
  }
  assert.deepEqual(s.reorder.counts, zero);
});

Deno.test("`MediaReorder` puts a late packet back in its place", () => {
  const s = stage();
  s.push(1);
  s.push(3);
  assert.deepEqual(s.take(), [{ packet: 1 }], "3 waits for 2");
  s.push(2);
  assert.deepEqual(s.take(), [{ packet: 2 }, { packet: 3 }]);
  s.push(5);
  s.push(6);
  s.push(4);
  assert.deepEqual(s.take(), [{ packet: 4 }, { packet: 5 }, { packet: 6 }]);
  assert.deepEqual(s.reorder.counts, { ...zero, inboundMediaReordered: 2 });
});

Deno.test("`MediaReorder` fills a lost packet with its exact duration once the window has passed it", () => {
  // windowMs 60 with 20 ms packets: packet 3 is waited for until a packet more than 60 ms of
  // media after it arrives (7 starts 80 ms after 3).
  const s = stage({ windowMs: 60 });
  for (const sequence of [1, 2, 4, 5, 6]) s.push(sequence);
  assert.deepEqual(s.take(), [{ packet: 1 }, { packet: 2 }]);
  assert.equal(s.reorder.pending, 3);
  s.push(7);
  assert.deepEqual(s.take(), [
    { gap: 20, packets: 1 },
    { packet: 4 },
    { packet: 5 },
    { packet: 6 },
    { packet: 7 },
  ]);
  s.push(3);
  assert.deepEqual(s.take(), [], "3 comes too late: its place is already silence");
  assert.deepEqual(s.reorder.counts, {
    ...zero,
    inboundMediaGapsFilled: 1,
    inboundMediaGapMs: 20,
    inboundMediaLate: 1,
  });
});

Deno.test("`MediaReorder` measures a gap in the lost packets' duration (30 ms packets, two lost)", () => {
  const s = stage({ windowMs: 60 });
  for (const sequence of [10, 11, 14, 15, 16]) s.push(sequence, 30);
  assert.deepEqual(s.take(), [
    { packet: 10 },
    { packet: 11 },
    { gap: 60, packets: 2 },
    { packet: 14 },
    { packet: 15 },
    { packet: 16 },
  ]);
});

Deno.test("`MediaReorder` drops true duplicates: of a delivered packet, of a held one, of a jump", () => {
  const s = stage();
  s.push(1);
  s.push(2);
  s.push(2);
  s.push(1);
  s.push(4);
  s.push(4);
  s.push(3);
  assert.deepEqual(s.take(), [{ packet: 1 }, { packet: 2 }, { packet: 3 }, { packet: 4 }]);
  s.push(40); // a jump beyond the window, waiting for confirmation
  s.push(40);
  s.push(5);
  assert.deepEqual(s.take(), [{ packet: 5 }]);
  assert.deepEqual(s.reorder.counts, {
    ...zero,
    inboundMediaReordered: 1,
    inboundMediaDuplicates: 4,
    inboundMediaLate: 1, // the unconfirmed jump to 40
  });
});

Deno.test("`MediaReorder` throws a decode error for Telnyx's sequence 9007199254740993 and delivers the 100 valid packets after it", () => {
  // Telnyx media messages carry their numbers as JSON strings ("Stream call media over
  // WebSocket": `sequence_number`, `media.chunk`, `media.timestamp`; frame order is not
  // guaranteed). 9007199254740993 reads as 2^53, where n + 1 === n: no arithmetic can place it.
  const s = stage();
  const message = (sequence: string) =>
    JSON.parse(
      `{"event":"media","sequence_number":"${sequence}","media":{"track":"inbound","chunk":"${sequence}","timestamp":"0","payload":"AA=="}}`,
    );
  const push = (sequence: string) => s.push(Number(message(sequence).sequence_number));
  push("5");
  assert.throws(
    () => push("9007199254740993"),
    (error) => error instanceof TransportError && error.code === "decode",
  );
  for (let sequence = 6; sequence < 106; sequence++) push(String(sequence));
  const delivered = s.take().map((event) => "packet" in event && event.packet);
  assert.deepEqual(delivered, Array.from({ length: 101 }, (_, i) => 5 + i));
  assert.deepEqual(s.reorder.counts, zero);
});

Deno.test("`MediaReorder` drops a lone absurd sequence number, counted, and mutes nothing after it", () => {
  const s = stage();
  s.push(5);
  s.push(1_000_000_000_000);
  for (let sequence = 6; sequence < 106; sequence++) s.push(sequence);
  const delivered = s.take().map((event) => "packet" in event && event.packet);
  assert.deepEqual(delivered, Array.from({ length: 101 }, (_, i) => 5 + i));
  assert.deepEqual(s.reorder.counts, { ...zero, inboundMediaLate: 1 });
  assert.equal(s.reorder.pending, 0);
});

Deno.test("`MediaReorder` drops a lone number far behind, counted, and mutes nothing after it", () => {
  const s = stage();
  for (let sequence = 1000; sequence < 1010; sequence++) s.push(sequence);
  s.push(3);
  for (let sequence = 1010; sequence < 1020; sequence++) s.push(sequence);
  assert.equal(s.take().length, 20);
  assert.deepEqual(s.reorder.counts, { ...zero, inboundMediaLate: 1 });
});

Deno.test("`MediaReorder` resynchronises on a confirmed jump: a timestamp hours away", () => {
  const reorder = new MediaReorder<string>({ orderBy: "timestamp" });
  const out: (string | number)[] = [];
  const output: MediaReorderOutput<string> = {
    packet: (packet) => out.push(packet.payload),
    gap: (gap) => out.push(gap.durationMs),
  };
  const push = (timestampMs: number, payload: string) =>
    reorder.push({ timestampMs, durationMs: 20, payload }, output);
  push(0, "a");
  push(20, "b");
  push(3 * 3_600_000, "c"); // three hours on: waits for a second opinion
  assert.deepEqual(out, ["a", "b"]);
  push(3 * 3_600_000 + 20, "d"); // it follows: the clock really moved
  push(3 * 3_600_000 + 40, "e");
  assert.deepEqual(out, ["a", "b", "c", "d", "e"], "no silence for the hours between");
  assert.deepEqual(reorder.counts, { ...zero, inboundMediaResyncs: 1 });
});

Deno.test("`MediaReorder` resynchronises when the numbering restarts far behind", () => {
  const s = stage();
  for (let sequence = 1; sequence <= 300; sequence++) s.push(sequence); // 6 s of media
  s.take();
  s.push(2); // the counter restarted, and its first two packets came swapped
  s.push(1);
  s.push(3);
  assert.deepEqual(s.take(), [{ packet: 1 }, { packet: 2 }, { packet: 3 }]);
  assert.deepEqual(s.reorder.counts, { ...zero, inboundMediaResyncs: 1, inboundMediaReordered: 1 });
});

Deno.test("`MediaReorder` counts numbers a little behind as duplicates, not as a restart", () => {
  // Within maxGapMs the stage knows what it delivered: a replay of recent packets is a replay.
  const s = stage({ maxGapMs: 5000 });
  for (let sequence = 1; sequence <= 100; sequence++) s.push(sequence);
  s.take();
  for (let sequence = 50; sequence <= 60; sequence++) s.push(sequence);
  s.push(101);
  assert.deepEqual(s.take(), [{ packet: 101 }]);
  assert.deepEqual(s.reorder.counts, { ...zero, inboundMediaDuplicates: 11 });
});

Deno.test("`MediaReorder` fills a loss longer than the window once the next packet confirms it", () => {
  const s = stage({ windowMs: 60 });
  for (let sequence = 1; sequence <= 5; sequence++) s.push(sequence);
  s.take();
  s.push(20);
  assert.deepEqual(s.take(), [], "a jump of 300 ms waits for a second packet");
  s.push(21);
  assert.deepEqual(s.take(), [{ gap: 280, packets: 14 }, { packet: 20 }, { packet: 21 }]);
  assert.deepEqual(s.reorder.counts, {
    ...zero,
    inboundMediaGapsFilled: 1,
    inboundMediaGapMs: 280,
  });
});

Deno.test("`MediaReorder` confirms a long loss by a follower that arrived first", () => {
  const s = stage({ windowMs: 60 });
  for (let sequence = 1; sequence <= 5; sequence++) s.push(sequence);
  s.take();
  s.push(21);
  s.push(20);
  s.push(22);
  assert.deepEqual(s.take(), [{ gap: 280, packets: 14 }, { packet: 20 }, { packet: 21 }, {
    packet: 22,
  }]);
  assert.equal(s.reorder.counts.inboundMediaReordered, 1);
});

Deno.test("`MediaReorder` takes an early packet beyond the window once the timeline reaches it", () => {
  // 10 arrives before 6, 7, 8, 9: 80 ms past where 6 would start, so it needs a second opinion;
  // 6 then brings the timeline within the window of it, and nothing is lost.
  const s = stage({ windowMs: 60 });
  for (const sequence of [1, 2, 3, 4, 5, 10]) s.push(sequence);
  assert.equal(s.reorder.pending, 1);
  for (const sequence of [6, 7, 8, 9, 11]) s.push(sequence);
  const delivered = s.take().map((event) => "packet" in event && event.packet);
  assert.deepEqual(delivered, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(s.reorder.counts, { ...zero, inboundMediaReordered: 4 });
});

Deno.test("`MediaReorder` starts afresh rather than fill a loss beyond maxGapMs", () => {
  const s = stage({ maxGapMs: 1000 });
  s.push(1);
  s.push(2);
  s.push(200); // 3.96 s later
  s.push(201);
  assert.deepEqual(s.take(), [{ packet: 1 }, { packet: 2 }, { packet: 200 }, { packet: 201 }]);
  assert.deepEqual(s.reorder.counts, { ...zero, inboundMediaResyncs: 1 });
});

Deno.test("`MediaReorder` follows a 16-bit counter across its wrap, reordered at the seam", () => {
  const s = stage({ modulus: 65536 });
  for (const sequence of [65533, 65534, 0, 65535, 1, 3, 2]) s.push(sequence);
  const delivered = s.take().map((event) => "packet" in event && event.packet);
  assert.deepEqual(delivered, [65533, 65534, 65535, 0, 1, 2, 3]);
  assert.deepEqual(s.reorder.counts, { ...zero, inboundMediaReordered: 2 });
  assert.throws(() => s.push(65536), TransportError, "a key outside [0, modulus) is malformed");
  assert.throws(() => s.push(-1), TransportError);
});

Deno.test("`MediaReorder` by timestamp: jitter of a few ms makes no gap, a lost packet does", () => {
  // Plivo's media.timestamp is wall-clock epoch ms, so 20 ms packets are stamped 18..23 ms apart.
  const reorder = new MediaReorder<number>({ orderBy: "timestamp" });
  const gaps: MediaGap[] = [];
  const delivered: number[] = [];
  const output: MediaReorderOutput<number> = {
    packet: (packet) => delivered.push(packet.payload),
    gap: (gap) => gaps.push(gap),
  };
  const base = 1_708_507_418_813;
  const jitter = [0, 3, -2, 1, 0, -3, 2, 0, 1, -1, 0, 2];
  for (let i = 0; i < jitter.length; i++) {
    if (i === 5) continue; // lost
    reorder.push({ timestampMs: base + 20 * i + jitter[i]!, durationMs: 20, payload: i }, output);
  }
  reorder.flush(output);
  assert.deepEqual(delivered, [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
  assert.equal(gaps.length, 1);
  assert.equal(gaps[0]!.packets, 1);
  assert.ok(Math.abs(gaps[0]!.durationMs - 20) <= 3, `gap of ${gaps[0]!.durationMs} ms`);
});

Deno.test("`MediaReorder` by timestamp: a gap is the timestamp difference, duplicates are dropped", () => {
  // Twilio: media.timestamp is the "presentation timestamp in milliseconds from the start of the
  // stream" (Media Streams - WebSocket Messages, Media message).
  const reorder = new MediaReorder<number>({ orderBy: "timestamp" });
  const { events, output } = recordedReorderOutput();
  for (const timestampMs of [0, 20, 80, 40, 40, 100, 120, 140, 160]) {
    reorder.push({ timestampMs, durationMs: 20, payload: timestampMs }, output);
  }
  assert.deepEqual(events, [
    { packet: 0 },
    { packet: 20 },
    { packet: 40 },
    { gap: 20, packets: 1 },
    { packet: 80 },
    { packet: 100 },
    { packet: 120 },
    { packet: 140 },
    { packet: 160 },
  ]);
  assert.deepEqual(reorder.counts, {
    ...zero,
    inboundMediaReordered: 1,
    inboundMediaDuplicates: 1,
    inboundMediaGapsFilled: 1,
    inboundMediaGapMs: 20,
  });
});

Deno.test("`MediaReorder.flush` delivers what is held in order, the holes between as gaps", () => {
  const s = stage({ windowMs: 100 });
  for (const sequence of [1, 3, 5, 6]) s.push(sequence);
  assert.deepEqual(s.take(), [{ packet: 1 }]);
  s.reorder.flush(s.output);
  assert.deepEqual(s.take(), [
    { gap: 20, packets: 1 },
    { packet: 3 },
    { gap: 20, packets: 1 },
    { packet: 5 },
    { packet: 6 },
  ]);
  assert.equal(s.reorder.pending, 0);
  s.push(7);
  assert.deepEqual(s.take(), [{ packet: 7 }], "the timeline goes on after a flush");
});

Deno.test("`MediaReorder.flush` drops a pending jump, counted late, whether a loss it would fill or absurd; one after a single loss it takes", () => {
  const s = stage();
  s.push(1);
  s.push(10); // 180 ms on: waiting for confirmation when the stream ends
  s.reorder.flush(s.output);
  // Was: [1, a gap of 160 ms, 10]: silence for a loss no packet confirmed.
  assert.deepEqual(s.take(), [{ packet: 1 }]);
  assert.deepEqual(s.reorder.counts, { ...zero, inboundMediaLate: 1 });
  s.push(2);
  assert.deepEqual(s.take(), [{ packet: 2 }], "the timeline goes on where it stood");
  s.push(10_000_000);
  s.reorder.flush(s.output);
  assert.deepEqual(s.take(), []);
  assert.equal(s.reorder.counts.inboundMediaLate, 2);
  assert.equal(s.reorder.pending, 0);
  // Packets longer than `windowMs` (Exotel's 100 ms against 60): one after a single loss is held
  // (the window in force is one packet), and at the end is taken behind the one packet's silence;
  // one after two lost waits for a second opinion, and one after more than three lost, still
  // waiting at the end, is dropped (up to three, see media_reorder_final_reach_test.ts).
  const long = stage();
  long.push(1, 100);
  long.push(3, 100);
  assert.equal(long.reorder.pending, 1);
  long.reorder.flush(long.output);
  assert.deepEqual(long.take(), [{ packet: 1 }, { gap: 100, packets: 1 }, { packet: 3 }]);
  long.push(4, 100);
  long.push(9, 100); // four lost: unconfirmed
  long.reorder.flush(long.output);
  assert.deepEqual(long.take(), [{ packet: 4 }]);
  assert.equal(long.reorder.counts.inboundMediaLate, 1);
});

Deno.test("`MediaReorder.giveUpHoles` (a pause) delivers what is held as `flush` does, but a far jump waits on for the packets after the pause", () => {
  const s = stage();
  s.push(1);
  s.push(3);
  s.push(10); // 120 ms past where 4 starts: waiting for a second opinion
  s.reorder.giveUpHoles(s.output);
  assert.deepEqual(s.take(), [{ packet: 1 }, { gap: 20, packets: 1 }, { packet: 3 }]);
  assert.equal(s.reorder.pending, 1, "the jump waits on");
  s.push(11); // after the pause, near the jump: a real loss of 4 to 9
  assert.deepEqual(s.take(), [{ gap: 120, packets: 6 }, { packet: 10 }, { packet: 11 }]);
  assert.deepEqual(s.reorder.counts, {
    ...zero,
    inboundMediaGapsFilled: 2,
    inboundMediaGapMs: 140,
  });
  s.push(500); // a bogus number, nearly 10 s ahead
  s.reorder.giveUpHoles(s.output);
  assert.deepEqual(s.take(), []);
  s.push(12); // after the pause, on the timeline: the jump was bogus
  assert.deepEqual(s.take(), [{ packet: 12 }]);
  assert.equal(s.reorder.counts.inboundMediaLate, 1);
  assert.equal(s.reorder.pending, 0);
  // Packets longer than the window (Exotel's 100 ms): one after a single loss is taken at the
  // pause, as `flush` takes it; one after four lost waits, and the stream's end drops it.
  const long = stage();
  long.push(1, 100);
  long.push(3, 100);
  long.reorder.giveUpHoles(long.output);
  assert.deepEqual(long.take(), [{ packet: 1 }, { gap: 100, packets: 1 }, { packet: 3 }]);
  long.push(8, 100);
  long.reorder.giveUpHoles(long.output);
  assert.deepEqual(long.take(), []);
  assert.equal(long.reorder.pending, 1);
  long.reorder.flush(long.output);
  assert.deepEqual(long.take(), []);
  assert.deepEqual(long.reorder.counts, {
    ...zero,
    inboundMediaGapsFilled: 1,
    inboundMediaGapMs: 100,
    inboundMediaLate: 1,
  });
});

Deno.test("`MediaReorder.reset` delivers what is held and lets the next packet start a new timeline", () => {
  const s = stage();
  s.push(1);
  s.push(3);
  s.reorder.reset(s.output);
  assert.deepEqual(s.take(), [{ packet: 1 }, { gap: 20, packets: 1 }, { packet: 3 }]);
  s.push(1); // a new stream, numbered from 1 again
  s.push(2);
  assert.deepEqual(s.take(), [{ packet: 1 }, { packet: 2 }]);
  assert.equal(s.reorder.counts.inboundMediaResyncs, 0, "a reset is deliberate, not a resync");
});

Deno.test("`MediaReorder` refuses malformed numbers with a decode error and stays as it was", () => {
  const s = stage();
  s.push(1);
  const bad: Partial<MediaPacket<number>>[] = [
    { sequence: 2.5, durationMs: 20 },
    { sequence: Number.NaN, durationMs: 20 },
    { sequence: 2 ** 53, durationMs: 20 },
    { durationMs: 20 },
    { sequence: 2, durationMs: 0 },
    { sequence: 2, durationMs: -20 },
    { sequence: 2, durationMs: Infinity },
  ];
  for (const packet of bad) {
    assert.throws(
      () => s.reorder.push({ payload: 0, ...packet } as MediaPacket<number>, s.output),
      (error) => error instanceof TransportError && error.code === "decode",
      JSON.stringify(packet),
    );
  }
  const byTime = new MediaReorder<number>({ orderBy: "timestamp" });
  assert.throws(
    () => byTime.push({ sequence: 1, durationMs: 20, payload: 0 }, s.output),
    /timestampMs/,
  );
  s.push(2);
  assert.deepEqual(s.take(), [{ packet: 1 }, { packet: 2 }]);
  assert.deepEqual(s.reorder.counts, zero);
});

Deno.test("`MediaReorder` refuses bad options with a RangeError naming the value", () => {
  assert.throws(() => new MediaReorder({ windowMs: -1 }), /windowMs.*-1/);
  assert.throws(() => new MediaReorder({ windowMs: Infinity }), RangeError);
  assert.throws(() => new MediaReorder({ windowMs: 100, maxGapMs: 50 }), /maxGapMs.*50/);
  assert.throws(() => new MediaReorder({ modulus: 1.5 }), /modulus.*1\.5/);
  assert.throws(
    () => new MediaReorder({ orderBy: "chunk" as "sequence" }),
    /orderBy.*chunk/,
  );
});

Deno.test("`MediaReorder` holds at most 256 packets, whatever the input", () => {
  // 0.01 ms packets: a 60 ms window would span 6000 of them.
  const s = stage();
  s.push(0, 0.01);
  for (let sequence = 2; sequence < 20_000; sequence++) {
    s.push(sequence, 0.01);
    assert.ok(s.reorder.pending <= 257, `${s.reorder.pending} held`);
  }
  const random = fc.sample(fc.integer({ min: -1e9, max: 1e9 }), { numRuns: 20_000, seed: 7 });
  for (const sequence of random) {
    s.push(sequence);
    assert.ok(s.reorder.pending <= 257, `${s.reorder.pending} held`);
  }
});

Deno.test("`MediaReorder` forwards every count to `count` under the transport's names", () => {
  const forwarded: Record<string, number> = {};
  const context: Pick<SerializerContext, "count"> = {
    count: (counter, amount = 1) => void (forwarded[counter] = (forwarded[counter] ?? 0) + amount),
  };
  // The transport's own count method fits the option as it is: no glue per counter.
  const s = stage({ count: context.count });
  for (const sequence of [1, 3, 2, 2, 6, 7, 8, 9, 4, 500_000, 10, 30, 31]) s.push(sequence);
  s.reorder.flush(s.output);
  const counts = s.reorder.counts;
  assert.deepEqual(
    forwarded,
    Object.fromEntries(Object.entries(counts).filter(([, value]) => value > 0)),
  );
  assert.deepEqual(counts, {
    inboundMediaReordered: 1,
    inboundMediaDuplicates: 1,
    inboundMediaLate: 2, // 4 after its gap was filled, and the bogus 500000
    inboundMediaGapsFilled: 2,
    inboundMediaGapMs: 40 + 380,
    inboundMediaResyncs: 0,
  });
});

Deno.test("`MediaReorder` counts reach `transport.stats` through a serializer's context", async () => {
  /** Text "n" is media packet n of 20 ms; gaps become 20 ms of silence per missing packet. */
  class NumberedSerializer implements FrameSerializer {
    #context: SerializerContext | undefined;
    #frames: Frame[] = [];
    #reorder = new MediaReorder<Uint8Array>({
      count: (counter, amount) => this.#context?.count(counter, amount),
    });
    #output: MediaReorderOutput<Uint8Array> = {
      packet: (packet) => this.#frames.push(this.#audio(packet.payload)),
      gap: (gap) => this.#frames.push(this.#audio(new Uint8Array(gap.durationMs * 32))),
    };
    bind(context: SerializerContext) {
      this.#context = context;
    }
    serialize() {
      return null;
    }
    deserialize(data: string | Uint8Array): Frame[] {
      const sequence = Number(data);
      this.#reorder.push({ sequence, durationMs: 20, payload: new Uint8Array(640) }, this.#output);
      return this.#frames.splice(0);
    }
    #audio(audio: Uint8Array): Frame {
      return { type: "audio", audio, sampleRate: 16000, channels: 1 };
    }
  }
  const pair = new MemorySocketPair();
  const clock = new FakeClock();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new NumberedSerializer(),
    audioIn: { sampleRate: 16000 },
    clock,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  for (const text of ["1", "2", "9007199254740993", "3", "3", "5", "6", "7", "8", "1000000"]) {
    pair.client.send(text);
  }
  const reader = transport.readable.getReader();
  let bytes = 0;
  while (bytes < 8 * 640) {
    bytes += ((await reader.read()).value as { audio: Uint8Array }).audio.length;
  }
  reader.releaseLock();
  await pair.server.waitFor(() => transport.stats.inboundMediaDuplicates === 1);
  assert.equal(bytes, 8 * 640, "1, 2, 3, silence for 4, 5, 6, 7, 8");
  assert.equal(transport.stats.decodeErrors, 1);
  assert.deepEqual(errors.map((error) => error.code), ["decode"]);
  assert.equal(transport.stats.inboundMediaGapsFilled, 1);
  assert.equal(transport.stats.inboundMediaGapMs, 20);
  await transport.close();
  await clock.runAll();
});

// --- Properties over random permutations, duplicates and losses ---------------------------------

interface Arrival {
  index: number;
  at: number;
}

/**
 * A stream of `count` packets numbered from `first`: each is lost with probability ~1/`lossOneIn`
 * or arrives `delay` packet-times late; `duplicates` copies arrive later still.
 */
function arrivals(
  plan: {
    lost: boolean[];
    delays: number[];
    duplicates: { index: number; delay: number }[];
  },
): number[] {
  const list: Arrival[] = [];
  plan.lost.forEach((lost, index) => {
    if (!lost) list.push({ index, at: index + (plan.delays[index] ?? 0) });
  });
  for (const copy of plan.duplicates) {
    if (copy.index < plan.lost.length && !plan.lost[copy.index]) {
      list.push({ index: copy.index, at: copy.index + copy.delay });
    }
  }
  return list.sort((a, b) => a.at - b.at).map((arrival) => arrival.index);
}

function planArbitrary(maxDelay: number, maxDuplicateDelay: number, lossOneIn: number) {
  return fc.integer({ min: 2, max: 300 }).chain((count) =>
    fc.record({
      lost: fc.array(
        fc.integer({ min: 1, max: lossOneIn }).map((n) => n === 1),
        { minLength: count, maxLength: count },
      ),
      delays: fc.array(fc.integer({ min: 0, max: maxDelay }), {
        minLength: count,
        maxLength: count,
      }),
      duplicates: fc.array(
        fc.record({
          index: fc.integer({ min: 0, max: count - 1 }),
          delay: fc.integer({ min: 0, max: maxDuplicateDelay }),
        }),
        { maxLength: 20 },
      ),
    })
  );
}

/** Runs a stream through a stage and checks the invariants every input must keep. */
function runAndCheck(
  order: number[],
  options: {
    first: number;
    durationMs: number;
    modulus?: number;
    byTimestamp?: boolean;
    /** Places in `order` after whose packet the stream pauses (`giveUpHoles`, a wall-time bound). */
    pauses?: ReadonlySet<number>;
  },
) {
  const { first, durationMs, modulus } = options;
  const key = (index: number) =>
    options.byTimestamp
      ? first + index * durationMs
      : modulus === undefined
      ? first + index
      : (first + index) % modulus;
  const reorder = new MediaReorder<number>({
    windowMs: 60,
    ...(modulus === undefined ? {} : { modulus }),
    ...(options.byTimestamp ? { orderBy: "timestamp" as const } : {}),
  });
  const { events, output } = recordedReorderOutput();
  order.forEach((index, at) => {
    const packet: MediaPacket<number> = options.byTimestamp
      ? { timestampMs: key(index), durationMs, payload: index }
      : { sequence: key(index), durationMs, payload: index };
    reorder.push(packet, output);
    if (options.pauses?.has(at)) reorder.giveUpHoles(output);
  });
  reorder.flush(output);
  const counts = reorder.counts;
  const delivered = events.flatMap((event) => "packet" in event ? [event.packet] : []);
  const gaps = events.flatMap((event) => "gap" in event ? [event] : []);

  // The first packet goes out at once, its number unconfirmed (see
  // media_reorder_first_packet_test.ts): where the packets after it agree on a timeline behind
  // it farther than the window (here, the stream's first packets delayed past the window behind a
  // later one), the timeline begins anew with them, one resync, and the first packet stays where
  // it went out, ahead of them. Before, they were all dropped as late, so a bogus first number
  // (chunk "250" where the numbering starts at 1) dropped up to maxGapMs of the caller's audio.
  // The invariants hold from the new timeline on.
  let checked = events;
  if (counts.inboundMediaResyncs === 1) {
    assert.deepEqual(events[0], { packet: order[0] }, "only the first packet is left behind");
    assert.ok(
      order.some((index) => (order[0]! - index) * durationMs > Math.max(60, durationMs)),
      "only packets behind the first past the window re-anchor",
    );
    checked = events.slice(1);
  } else assert.equal(counts.inboundMediaResyncs, 0);
  // In order, each packet once, and the timeline continuous: every hole between two delivered
  // packets is exactly one gap of exactly the missing duration.
  let expected: number | undefined;
  for (const event of checked) {
    if ("packet" in event) {
      if (expected !== undefined) assert.equal(event.packet, expected, "in order, no hole");
      expected = event.packet + 1;
    } else {
      assert.ok(expected !== undefined, "no gap before the first packet");
      assert.ok(event.packets >= 1);
      assert.ok(Math.abs(event.gap - event.packets * durationMs) < 1e-9, "exact duration");
      expected += event.packets;
    }
  }
  assert.ok(!("gap" in (events.at(-1) ?? {})), "no gap after the last packet");
  // Counters add up: in = out + dropped; fills = missing ms.
  assert.equal(
    order.length,
    delivered.length + counts.inboundMediaDuplicates + counts.inboundMediaLate,
  );
  assert.equal(counts.inboundMediaGapsFilled, gaps.length);
  const timeline = checked.flatMap((event) => "packet" in event ? [event.packet] : []);
  const missing = timeline.length === 0 ? 0 : timeline.at(-1)! - timeline[0]! + 1 - timeline.length;
  assert.ok(Math.abs(counts.inboundMediaGapMs - missing * durationMs) < 1e-6);
  assert.equal(reorder.pending, 0);
  return { delivered, counts };
}

Deno.test("`MediaReorder` property: within the window, every packet comes out once, in order", () => {
  // Delays up to the window (3 packets of 20 ms), duplicates within a second, no loss.
  fc.assert(
    fc.property(
      planArbitrary(3, 50, 1_000_000),
      fc.integer({ min: 0, max: 1e9 }),
      (plan, first) => {
        plan.lost.fill(false);
        plan.delays[0] = 0; // the first packet to arrive begins the timeline
        const order = arrivals(plan);
        const { delivered, counts } = runAndCheck(order, { first, durationMs: 20 });
        assert.deepEqual(delivered, plan.lost.map((_, index) => index));
        assert.equal(counts.inboundMediaDuplicates, order.length - plan.lost.length);
        assert.equal(counts.inboundMediaLate, 0);
        assert.equal(counts.inboundMediaGapsFilled, 0);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("`MediaReorder` property: within the window, each lost packet is one gap of its length", () => {
  // Single losses among packets reordered by up to the window (3 packets of 20 ms).
  fc.assert(
    fc.property(planArbitrary(3, 50, 5), (plan) => {
      plan.lost[0] = false;
      plan.delays[0] = 0;
      for (let i = 1; i < plan.lost.length; i++) if (plan.lost[i - 1]) plan.lost[i] = false;
      const { delivered, counts } = runAndCheck(arrivals(plan), { first: 1, durationMs: 20 });
      const sent = plan.lost.flatMap((lost, index) => lost ? [] : [index]);
      assert.deepEqual(delivered, sent);
      const interiorLosses = plan.lost.filter((lost, index) => lost && index < sent.at(-1)!).length;
      assert.equal(counts.inboundMediaGapsFilled, interiorLosses);
      assert.equal(counts.inboundMediaGapMs, 20 * interiorLosses);
      assert.equal(counts.inboundMediaLate, 0);
    }),
    { numRuns: 300 },
  );
});

Deno.test("`MediaReorder` property: packets longer than the window still bridge single losses", () => {
  fc.assert(
    fc.property(planArbitrary(0, 0, 4), fc.integer({ min: 61, max: 200 }), (plan, durationMs) => {
      plan.lost[0] = false;
      for (let i = 1; i < plan.lost.length; i++) if (plan.lost[i - 1]) plan.lost[i] = false;
      plan.duplicates.length = 0;
      const { delivered } = runAndCheck(arrivals(plan), { first: 7, durationMs });
      assert.deepEqual(delivered, plan.lost.flatMap((lost, index) => lost ? [] : [index]));
    }),
    { numRuns: 200 },
  );
});

Deno.test("`MediaReorder` property: beyond the window, in order, each once, gaps exact, counters add up", () => {
  fc.assert(
    fc.property(planArbitrary(12, 200, 6), fc.integer({ min: 0, max: 1e6 }), (plan, first) => {
      runAndCheck(arrivals(plan), { first, durationMs: 20 });
    }),
    { numRuns: 400 },
  );
});

Deno.test("`MediaReorder` property: with pauses anywhere (`giveUpHoles`), the same invariants hold", () => {
  fc.assert(
    fc.property(
      planArbitrary(12, 200, 6),
      fc.integer({ min: 0, max: 1e6 }),
      fc.array(fc.nat({ max: 400 }), { maxLength: 40 }),
      fc.boolean(),
      (plan, first, pauses, byTimestamp) => {
        runAndCheck(arrivals(plan), {
          first,
          durationMs: 20,
          byTimestamp,
          pauses: new Set(pauses),
        });
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("`MediaReorder` property: a loss of any length, then a pause after the packet that follows it, costs the lost packets alone", () => {
  // The wall-time bound mid-call: a real loss, the packet after it, nothing for a while (a stalled
  // connection), then the rest. Twilio's 20 ms packets, Exotel's 100 ms, and lengths between.
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 2, max: 50 }),
      fc.constantFrom(20, 30, 60, 100, 160),
      fc.nat(),
      fc.boolean(),
      (before, after, durationMs, lossAt, byTimestamp) => {
        const lost = 1 + lossAt % Math.floor(4000 / durationMs); // within maxGapMs (5 s)
        const sent = [
          ...Array.from({ length: before }, (_, i) => i),
          ...Array.from({ length: after }, (_, i) => before + lost + i),
        ];
        const { delivered, counts } = runAndCheck(sent, {
          first: 1,
          durationMs,
          byTimestamp,
          pauses: new Set([before]), // right after the packet that follows the loss
        });
        assert.deepEqual(delivered, sent);
        assert.equal(counts.inboundMediaLate, 0);
        assert.equal(counts.inboundMediaGapsFilled, 1);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("`MediaReorder` property: ordered by timestamp, the same invariants hold", () => {
  fc.assert(
    fc.property(
      planArbitrary(8, 100, 6),
      fc.integer({ min: 0, max: 2e12 }),
      fc.constantFrom(10, 20, 30),
      (plan, first, durationMs) => {
        runAndCheck(arrivals(plan), { first, durationMs, byTimestamp: true });
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("`MediaReorder` property: across a 16-bit wrap, the same invariants hold", () => {
  fc.assert(
    fc.property(
      planArbitrary(8, 100, 6),
      fc.integer({ min: 65_236, max: 65_535 }),
      (plan, first) => {
        runAndCheck(arrivals(plan), { first, durationMs: 20, modulus: 65536 });
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("`MediaReorder` property: one bogus number anywhere costs no valid packet", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 200 }),
      fc.nat(),
      fc.oneof(
        fc.integer({ min: 10_000, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: -1e12, max: -1000 }),
      ),
      fc.boolean(),
      (count, at, bogus, pause) => {
        const s = stage();
        const where = 1 + at % (count - 1); // the very first packet defines the timeline
        for (let sequence = 0; sequence < count; sequence++) {
          if (sequence === where) {
            s.push(bogus);
            // Nothing comes for a while after it (the wall-time bound): it still costs nothing.
            if (pause) s.reorder.giveUpHoles(s.output);
          }
          s.push(sequence);
        }
        s.reorder.flush(s.output);
        const delivered = s.take().map((event) => "packet" in event && event.packet);
        assert.deepEqual(delivered, Array.from({ length: count }, (_, i) => i));
        assert.deepEqual(s.reorder.counts, { ...zero, inboundMediaLate: 1 });
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("`MediaReorder` property: a bogus number within maxGapMs, then a pause, costs no valid packet", () => {
  // Taken at the pause, its hole filled, it would move the timeline up to 5 s ahead, and every
  // real packet up to it would then be dropped as late.
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 200 }),
      fc.nat(),
      // Far enough that the packet after it still finds it beyond the window (nearer, it is taken
      // for an early packet: the real one of its number is then the duplicate).
      fc.integer({ min: 5, max: 249 }),
      (count, at, ahead) => {
        const s = stage();
        const where = 1 + at % (count - 1);
        for (let sequence = 0; sequence < count; sequence++) {
          if (sequence === where) {
            s.push(where + ahead); // 100 ms to 4.98 s past where `where` starts
            s.reorder.giveUpHoles(s.output);
          }
          s.push(sequence);
        }
        s.reorder.flush(s.output);
        const delivered = s.take().map((event) => "packet" in event && event.packet);
        assert.deepEqual(delivered, Array.from({ length: count }, (_, i) => i));
        assert.deepEqual(s.reorder.counts, { ...zero, inboundMediaLate: 1 });
      },
    ),
    { numRuns: 300 },
  );
});
