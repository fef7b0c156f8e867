import assert from "node:assert/strict";
import fc from "fast-check";
import { PacketizerStream } from "../../src/streams/packetizer_stream.ts";
import type { LastPacketPolicy } from "../../src/streams/packetizer.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import { assertRefusesAudioNotBytes } from "./_audio_not_bytes.ts";
import { ramp } from "../_bytes.ts";

function audio(bytes: Uint8Array, sampleRate = 16000, channels = 1): AudioFrame {
  return { type: "audio", audio: bytes, sampleRate, channels };
}

function run(stream: TransformStream<Frame, Frame>, frames: Frame[]): Promise<Frame[]> {
  return Array.fromAsync(ReadableStream.from(frames).pipeThrough(stream));
}

function trace(frames: Frame[]): (number | string)[] {
  return frames.map((f) => (f.type === "audio" ? f.audio.length : f.type));
}

function audioOf(frame: Frame | undefined): Uint8Array {
  assert.ok(frame?.type === "audio", `expected audio, got ${frame?.type}`);
  return frame.audio;
}

Deno.test("`PacketizerStream` keeps the remainder across writes", async () => {
  const input = ramp(2000);
  const out = await run(new PacketizerStream({ packetSize: 640, lastPacket: "short" }), [
    audio(input.slice(0, 500)),
    audio(input.slice(500, 1300)),
    audio(input.slice(1300)),
  ]);
  assert.deepEqual(trace(out), [640, 640, 640, 80]);
  for (const [i, frame] of out.entries()) {
    assert.deepEqual(audioOf(frame), input.subarray(i * 640, Math.min(2000, (i + 1) * 640)));
  }
});

Deno.test("`PacketizerStream` handles writes ending on, just before and just after a boundary", async () => {
  const sizes = [8, 7, 1, 9, 6, 1, 1, 16, 3];
  const input = ramp(52);
  let offset = 0;
  const frames = sizes.map((n) => audio(input.slice(offset, offset += n)));
  const out = await run(new PacketizerStream({ packetSize: 8, padByte: 0xee }), frames);
  assert.deepEqual(trace(out), [8, 8, 8, 8, 8, 8, 8]);
  assert.deepEqual([...audioOf(out[6])], [48, 49, 50, 51, 0xee, 0xee, 0xee, 0xee]);
});

Deno.test("`PacketizerStream` copies a write once: its packets are views of one copy", async () => {
  const input = ramp(640 * 3);
  const out = await run(new PacketizerStream({ packetSize: 640 }), [audio(input)]);
  assert.equal(out.length, 3);
  const buffers = new Set(out.map((frame) => audioOf(frame).buffer));
  assert.equal(buffers.size, 1);
  assert.ok(!buffers.has(input.buffer));
  out.forEach((frame, i) =>
    assert.deepEqual(audioOf(frame), input.subarray(i * 640, (i + 1) * 640))
  );
});

Deno.test("`PacketizerStream` keeps its packets when the writer reuses its buffer", async () => {
  // A writer refilling one buffer per write once `write` returns: the packets read after that
  // were views of the buffer, and carried the next write's bytes.
  const stream = new PacketizerStream({ packetSize: 640 });
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const buffer = new Uint8Array(1 + 640 * 3);
  const frame = audio(buffer.subarray(1)); // a view at an odd offset
  buffer.fill(1);
  const first = reader.read(); // lets the write through
  await writer.write(frame);
  buffer.fill(2);
  for (const read of [first, reader.read(), reader.read()]) {
    assert.deepEqual(audioOf((await read).value), new Uint8Array(640).fill(1));
  }
  await writer.close();
  assert.deepEqual(await reader.read(), { done: true, value: undefined });
});

Deno.test("`PacketizerStream` never cuts or touches a non-audio frame", async () => {
  const message: Frame = { type: "message", message: { big: "x".repeat(5000) } };
  const text: Frame = { type: "text", text: "y".repeat(3000) };
  const mark: Frame = { type: "mark", name: "m" };
  const out = await run(new PacketizerStream({ packetSize: 16 }), [
    message,
    audio(ramp(20)),
    text,
    mark,
    audio(ramp(12)),
  ]);
  assert.deepEqual(trace(out), ["message", 16, "text", "mark", 16]);
  assert.equal(out[0], message);
  assert.equal(out[2], text);
  assert.equal(out[3], mark);
});

Deno.test("`PacketizerStream` follows the last-packet policy at the end of the stream", async () => {
  const cases: [LastPacketPolicy, (number | string)[], number][] = [
    ["pad", [640, 640], 0],
    ["short", [640, 360], 0],
    ["drop", [640], 360],
  ];
  for (const [lastPacket, expected, dropped] of cases) {
    const stream = new PacketizerStream({ packetSize: 640, lastPacket, padByte: 0xff });
    const out = await run(stream, [audio(ramp(1000))]);
    assert.deepEqual(trace(out), expected, lastPacket);
    assert.equal(stream.droppedBytes, dropped, lastPacket);
    if (lastPacket === "pad") {
      const last = audioOf(out[1]);
      assert.deepEqual(last.subarray(0, 360), ramp(360, 640));
      assert.ok(last.subarray(360).every((b) => b === 0xff));
    }
  }
});

Deno.test("`PacketizerStream` pads with silence (0) by default", async () => {
  const out = await run(new PacketizerStream({ packetSize: 6 }), [audio(ramp(4, 1))]);
  assert.deepEqual([...audioOf(out[0])], [1, 2, 3, 4, 0, 0]);
});

Deno.test("`PacketizerStream` applies the policy before an `end` frame", async () => {
  const stream = new PacketizerStream({ packetSize: 8, lastPacket: "short" });
  const out = await run(stream, [audio(ramp(10)), { type: "end" }, audio(ramp(8))]);
  assert.deepEqual(trace(out), [8, 2, "end", 8]);
});

Deno.test("`PacketizerStream` drops the remainder on an interruption mid-packet, counted", async () => {
  const stream = new PacketizerStream({ packetSize: 640 });
  const after = ramp(640, 5);
  const out = await run(stream, [
    audio(ramp(1000)),
    { type: "interruption" },
    audio(after),
    audio(ramp(100)),
    { type: "cancel" },
  ]);
  assert.deepEqual(trace(out), [640, "interruption", 640, "cancel"]);
  assert.deepEqual(audioOf(out[2]), after);
  assert.equal(stream.droppedBytes, 360 + 100);
});

Deno.test("`PacketizerStream` labels packets with their format; a format change flushes", async () => {
  const out = await run(new PacketizerStream({ packetSize: 640, lastPacket: "short" }), [
    audio(new Uint8Array(700), 8000, 2),
    audio(new Uint8Array(640), 8000, 1),
  ]);
  assert.deepEqual(
    out.map((f) => f.type === "audio" && [f.audio.length, f.sampleRate, f.channels]),
    [[640, 8000, 2], [60, 8000, 2], [640, 8000, 1]],
  );
});

Deno.test("`PacketizerStream` rejects bad options", () => {
  assert.throws(() => new PacketizerStream({ packetSize: 0 }), /packetSize.*0/);
  assert.throws(() => new PacketizerStream({ packetSize: 8, padByte: -1 }), /padByte/);
});

Deno.test("`PacketizerStream` errors on audio that is no Uint8Array, naming it", async () => {
  await assertRefusesAudioNotBytes(() => new PacketizerStream({ packetSize: 640 }));
});

Deno.test("`PacketizerStream` gives the same bytes for any chunking of the input", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 12 }),
      fc.integer({ min: 1, max: 64 }),
      async (sizes, packetSize) => {
        const input = ramp(sizes.reduce((a, b) => a + b, 0));
        let offset = 0;
        const frames = sizes.map((n) => audio(input.slice(offset, offset += n)));
        const out = await run(new PacketizerStream({ packetSize, lastPacket: "short" }), frames);
        const joined = new Uint8Array(input.length);
        let at = 0;
        for (const [i, frame] of out.entries()) {
          const bytes = audioOf(frame);
          if (i < out.length - 1) assert.equal(bytes.length, packetSize);
          joined.set(bytes, at);
          at += bytes.length;
        }
        assert.equal(at, input.length);
        assert.deepEqual(joined, input);
      },
    ),
    { numRuns: 50 },
  );
});
