// A provider whose media numbers wrap (a 16-bit sequence, a media clock of limited range) goes
// through `OrderedMedia` with its `modulus`: the wrap is the next packet, not a jump back.
import assert from "node:assert/strict";
import { OrderedMedia, TelephonyAudio } from "../../../src/serializers/telephony/mod.ts";
import type { OrderedMediaOptions } from "../../../src/serializers/telephony/ordered_media.ts";
import { TransportError } from "../../../src/errors.ts";
import type { AudioFrame } from "../../../src/frames.ts";
import { mulawDecode } from "../../../src/audio/g711.ts";
import { boundStage } from "./_ordered_media_stage.ts";

/** 20 ms of μ-law at 8 kHz whose every byte is `byte`: which packet a frame came from. */
const packet = (byte: number) => btoa(String.fromCharCode(...new Uint8Array(160).fill(byte)));

/** A stage for 8 kHz μ-law (no resampling), its counts and reports kept. */
const stage = (options: Partial<OrderedMediaOptions>) => boundStage(options);

/** Each frame as "time:byte", the μ-law byte its packet was filled with ("gap": silence filled). */
function described(frames: AudioFrame[]): string[] {
  const byteOf = new Map<number, number>();
  for (let byte = 0; byte < 256; byte++) byteOf.set(mulawDecode(new Uint8Array([byte]))[0]!, byte);
  return frames.map((frame) => {
    const byte = byteOf.get(new Int16Array(frame.audio.buffer, frame.audio.byteOffset, 1)[0]!);
    return `${frame.timestampMs}:${byte === 0xff ? "gap" : byte?.toString(16)}`;
  });
}

Deno.test("`OrderedMedia` with a `modulus` puts a 16-bit sequence in order across its wrap, a loss there filled", () => {
  const { ordered, counts, reported } = stage({ modulus: 65536 });
  // Sequences 65533, 65534, 65535, 0, 1, 2, 3: 65535 comes after 0, and 2 never comes.
  const arrivals: [number, number][] = [
    [65533, 0x10],
    [65534, 0x11],
    [0, 0x13],
    [65535, 0x12],
    [1, 0x14],
    [3, 0x16],
    [4, 0x17],
    [5, 0x18],
    [6, 0x19],
  ];
  const frames = arrivals.flatMap(([sequence, byte]) =>
    ordered.push({
      sequence,
      // By sequence the modulus bounds the sequence only: these media times lie beyond it.
      timestampMs: 70_000 + 20 * ((sequence - 65533 + 65536) % 65536),
      payload: packet(byte),
    })
  );
  frames.push(...ordered.flush());
  assert.deepEqual(described(frames), [
    "0:10",
    "20:11",
    "40:12",
    "60:13",
    "80:14",
    "100:gap",
    "120:16",
    "140:17",
    "160:18",
    "180:19",
  ]);
  assert.equal(counts.inboundMediaReordered, 1);
  assert.equal(counts.inboundMediaGapsFilled, 1);
  assert.equal(counts.inboundMediaResyncs, undefined, "the wrap is no restart");
  assert.equal(counts.inboundMediaLate, undefined);
  assert.deepEqual(reported, []);
});

Deno.test("`OrderedMedia` with a `modulus` ordered by timestamp goes on across the media clock's wrap, frame times moving forward", () => {
  // A media clock in ms that wraps at 65536 (65.5 s), first packet 60 ms before the wrap.
  const { ordered, counts, reported } = stage({ modulus: 65536, orderBy: "timestamp" });
  const times = [65476, 65496, 65516, 0, 20, 40, 60].map((ms) => ms % 65536);
  // 20 ms (the packet at 65516) comes after the wrap's first packet; 40 never comes.
  const order = [0, 1, 3, 2, 4, 6];
  const frames = order.flatMap((i) =>
    ordered.push({ timestampMs: times[i], payload: packet(0x20 + i) })
  );
  frames.push(...ordered.flush());
  assert.deepEqual(described(frames), [
    "0:20",
    "20:21",
    "40:22",
    "60:23",
    "80:24",
    "100:gap",
    "120:26",
  ]);
  assert.equal(counts.inboundMediaReordered, 1);
  assert.equal(counts.inboundMediaGapsFilled, 1);
  assert.equal(counts.inboundMediaResyncs, undefined);
  assert.equal(counts.decodeErrors, undefined, "no media time refused at the wrap");
  assert.deepEqual(reported, []);
});

Deno.test("`OrderedMedia` with a `modulus` ordered by timestamp times frames on past a whole turn of the media clock", () => {
  // A clock of 1 s: 3 s of 20 ms packets from 500 ms on pass its wrap three times.
  const { ordered, counts, reported } = stage({ modulus: 1000, orderBy: "timestamp" });
  const times: number[] = [];
  for (let i = 0; i < 150; i++) {
    for (
      const frame of ordered.push({ timestampMs: (500 + 20 * i) % 1000, payload: packet(0x40) })
    ) {
      times.push(frame.timestampMs!);
    }
  }
  assert.deepEqual(times, Array.from({ length: 150 }, (_, i) => 20 * i));
  assert.equal(counts.decodeErrors, undefined);
  assert.equal(counts.inboundMediaResyncs, undefined);
  assert.deepEqual(reported, []);
});

Deno.test("`OrderedMedia` refuses a number outside its `modulus` as a decode error naming the provider; the stream goes on", () => {
  const bySequence = stage({ modulus: 65536 }).ordered;
  bySequence.push({ sequence: 65535, payload: packet(0x30) });
  for (const sequence of [65536, -1]) {
    assert.throws(
      () => bySequence.push({ sequence, payload: packet(0x31) }),
      (e) =>
        e instanceof TransportError && e.code === "decode" &&
        e.message === `Globex: media sequence ${sequence} is outside [0, 65536)`,
    );
  }
  assert.equal(bySequence.push({ sequence: 0, payload: packet(0x31) }).length, 1);

  const byTime = stage({ modulus: 1000, orderBy: "timestamp" }).ordered;
  // Refused as the first, it does not become the origin of media times.
  assert.throws(
    () => byTime.push({ timestampMs: 1000, payload: packet(0x30) }),
    (e) =>
      e instanceof TransportError && e.code === "decode" &&
      e.message === "Globex: media timestampMs 1000 is outside [0, 1000)",
  );
  assert.deepEqual(
    [980, 0, 20].flatMap((timestampMs) => byTime.push({ timestampMs, payload: packet(0x30) }))
      .map((frame) => frame.timestampMs),
    [0, 20, 40],
  );
});

Deno.test("`OrderedMedia` refuses a `modulus` that is not an integer of at least 2 with a RangeError", () => {
  const audio = new TelephonyAudio();
  for (const modulus of [0, 1, 1.5, NaN, Infinity, -65536]) {
    assert.throws(
      () => new OrderedMedia({ audio, provider: "Globex", modulus }),
      (e) => e instanceof RangeError && /^modulus must be an integer of at least 2/.test(e.message),
      String(modulus),
    );
  }
});
