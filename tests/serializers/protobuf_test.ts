import assert from "node:assert/strict";
import fc from "fast-check";
import { create, toBinary } from "@bufbuild/protobuf";
import { embedFileDesc } from "@bufbuild/protobuf/codegenv2";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import { ProtobufFrameSerializer } from "@pipecat-ai/websocket-transport";
import { RTVIMessage } from "@pipecat-ai/client-js";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { file_frames, FrameSchema } from "../../src/serializers/_pipecat_frames_pb.ts";
import { rtviBotReady } from "../../src/serializers/rtvi.ts";
import { TransportError } from "../../src/errors.ts";
import type { AudioFrame, Frame } from "../../src/frames.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { analyze, samplesOf, tone } from "./fixtures/telephony_harness.ts";
import { isDecode, serializer } from "./fixtures/protobuf_serializer.ts";

/** A binary `pipecat.Frame` holding an `AudioRawFrame`, as a client sends the microphone's. */
const audioMessage = (audio: Uint8Array, sampleRate: number, numChannels: number) =>
  toBinary(
    FrameSchema,
    create(FrameSchema, { frame: { case: "audio", value: { audio, sampleRate, numChannels } } }),
  );

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (text: string) => new Uint8Array(text.match(/../g)!.map((h) => parseInt(h, 16)));

Deno.test("`ProtobufSerializer`'s embedded schema is exactly pipecat's frames.proto", () => {
  const field = (
    name: string,
    number: number,
    type: Type,
    extra: Record<string, unknown> = {},
  ) => ({
    name,
    number,
    type,
    label: Label.OPTIONAL,
    jsonName: name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
    ...extra,
  });
  const idName = [field("id", 1, Type.UINT64), field("name", 2, Type.STRING)];
  const frame = (name: string, number: number, message: string) =>
    field(name, number, Type.MESSAGE, { typeName: `.pipecat.${message}`, oneofIndex: 0 });
  // The table of shared/reference/PROTOCOLS.md, field by field.
  const proto = create(FileDescriptorProtoSchema, {
    name: "frames.proto",
    package: "pipecat",
    syntax: "proto3",
    messageType: [
      { name: "TextFrame", field: [...idName, field("text", 3, Type.STRING)] },
      {
        name: "AudioRawFrame",
        field: [
          ...idName,
          field("audio", 3, Type.BYTES),
          field("sample_rate", 4, Type.UINT32),
          field("num_channels", 5, Type.UINT32),
          field("pts", 6, Type.UINT64, { oneofIndex: 0, proto3Optional: true }),
        ],
        oneofDecl: [{ name: "_pts" }],
      },
      {
        name: "TranscriptionFrame",
        field: [
          ...idName,
          field("text", 3, Type.STRING),
          field("user_id", 4, Type.STRING),
          field("timestamp", 5, Type.STRING),
        ],
      },
      { name: "MessageFrame", field: [field("data", 1, Type.STRING)] },
      { name: "InterruptionFrame", field: [...idName] },
      {
        name: "Frame",
        field: [
          frame("text", 1, "TextFrame"),
          frame("audio", 2, "AudioRawFrame"),
          frame("transcription", 3, "TranscriptionFrame"),
          frame("message", 4, "MessageFrame"),
          frame("interruption", 5, "InterruptionFrame"),
        ],
        oneofDecl: [{ name: "frame" }],
      },
    ],
  });
  assert.equal(embedFileDesc(file_frames.proto).base64(), embedFileDesc(proto).base64());
  assert.deepEqual(FrameSchema.fields.map((f) => [f.name, f.number]), [
    ["text", 1],
    ["audio", 2],
    ["transcription", 3],
    ["message", 4],
    ["interruption", 5],
  ]);
});

Deno.test("`ProtobufSerializer` reads what the real pipecat JS client's serializer writes", () => {
  const client = new ProtobufFrameSerializer();
  const ours = serializer();
  const ready = RTVIMessage.clientReady();
  const frame = ours.deserialize(client.serializeMessage(ready));
  assert.deepEqual(frame, { type: "message", message: JSON.parse(JSON.stringify(ready)) });
  const pcm = new Int16Array(512).map((_, i) => (i * 97) % 3000 - 1500);
  const audio = ours.deserialize(client.serializeAudio(pcm.buffer, 16000, 1)) as AudioFrame;
  assert.deepEqual(audio, {
    type: "audio",
    audio: new Uint8Array(pcm.buffer),
    sampleRate: 16000,
    channels: 1,
  });
});

Deno.test("`ProtobufSerializer` writes what the real pipecat JS client's serializer reads", async () => {
  const client = new ProtobufFrameSerializer();
  const ours = serializer();
  const reply = rtviBotReady({
    type: "message",
    message: { id: "x1", label: "rtvi-ai", type: "client-ready" },
  })!;
  const message = await client.deserialize(
    new Blob([ours.serialize(reply) as Uint8Array<ArrayBuffer>]),
  );
  assert.deepEqual(message, {
    type: "message",
    message: { id: "x1", label: "rtvi-ai", type: "bot-ready", data: { version: "2.1.0" } },
  });
  const pcm = new Int16Array(480).map((_, i) => i * 50 - 12000);
  const wire = ours.serialize({
    type: "audio",
    audio: new Uint8Array(pcm.buffer),
    sampleRate: 24000,
    channels: 1,
  });
  const audio = await client.deserialize(new Blob([wire as Uint8Array<ArrayBuffer>]));
  assert.equal(audio.type, "audio");
  assert.deepEqual([...(audio as { audio: Int16Array }).audio], [...pcm]);
});

Deno.test("`ProtobufSerializer` plays a recorded client session message by message both ways", async () => {
  // Recorded from @pipecat-ai/websocket-transport 1.7.1's ProtobufFrameSerializer (client → us)
  // and checked against it (us → client): see the two tests above for the live versions.
  const session = JSON.parse(
    await Deno.readTextFile(new URL("./fixtures/protobuf_session.json", import.meta.url)),
  ) as { from: "client" | "server"; hex: string; frame: Frame & { audioHex?: string } }[];
  const ours = serializer();
  for (const [index, step] of session.entries()) {
    const expected = step.frame.type === "audio"
      ? {
        type: "audio",
        audio: unhex(step.frame.audioHex!),
        sampleRate: step.frame.sampleRate,
        channels: step.frame.channels,
      }
      : step.frame;
    if (step.from === "client") {
      assert.deepEqual(ours.deserialize(unhex(step.hex)), expected, `step ${index}`);
    } else {
      assert.equal(hex(ours.serialize(expected as Frame) as Uint8Array), step.hex, `step ${index}`);
    }
  }
});

Deno.test("`ProtobufSerializer` maps every frame kind of frames.proto both ways", () => {
  const ours = serializer();
  const frames: Frame[] = [
    { type: "text", text: "héllo" },
    { type: "transcription", text: "hi", userId: "u1", timestamp: "2025-01-01T00:00:00Z" },
    { type: "message", message: { a: [1, "b"] } },
    { type: "interruption" },
    { type: "audio", audio: new Uint8Array([1, 2, 3, 4]), sampleRate: 16000, channels: 1 },
  ];
  for (const frame of frames) {
    assert.deepEqual(ours.deserialize(ours.serialize(frame) as Uint8Array), frame);
  }
  for (
    const frame of [{ type: "dtmf", digit: "1" }, { type: "mark", name: "m" }, {
      type: "end",
    }] as Frame[]
  ) {
    assert.equal(ours.serialize(frame), null);
  }
  assert.equal(
    new ProtobufSerializer({ sendInterruptions: false }).serialize({ type: "interruption" }),
    null,
  );
  assert.equal(ours.deserialize(new Uint8Array(0)), null);
});

Deno.test("`ProtobufSerializer` brings other rates and channel counts to the transport's input", () => {
  const ours = serializer();
  const stereo = new Int16Array(2 * 480);
  for (let i = 0; i < 480; i++) [stereo[2 * i], stereo[2 * i + 1]] = [1000, 3000];
  const wire = audioMessage(new Uint8Array(stereo.buffer), 16000, 2);
  const mono = ours.deserialize(wire) as AudioFrame;
  assert.equal(mono.channels, 1);
  assert.deepEqual(new Set(new Int16Array(mono.audio.slice().buffer)), new Set([2000]));

  // A 1 kHz tone declared at 48 kHz arrives at 16 kHz with its frequency and level.
  const source = tone(1000, 48000, 48000);
  const received: AudioFrame[] = [];
  for (let at = 0; at < source.length; at += 960) {
    const chunk = source.slice(at, at + 960);
    const bytes = audioMessage(new Uint8Array(chunk.buffer), 48000, 1);
    const frame = ours.deserialize(bytes);
    if (frame) received.push(frame as AudioFrame);
  }
  assert.ok(received.every((f) => f.sampleRate === 16000));
  const measured = analyze(samplesOf(received).subarray(800), 16000);
  const sent = analyze(source, 48000);
  assert.ok(Math.abs(measured.frequency - 1000) < 2, `frequency ${measured.frequency}`);
  assert.ok(Math.abs(measured.dbfs - sent.dbfs) < 0.5, `level ${measured.dbfs} vs ${sent.dbfs}`);
});

Deno.test("`ProtobufSerializer` hands on the caller's last samples the resampler held back, where the rate changes and at the close", () => {
  // docs.pipecat.ai, Client → JS → Transports → WebSocket: the client records at its
  // `recorderSampleRate` (8000 in the docs' setup) and each AudioRawFrame names its sample_rate;
  // the client sends no goodbye, the socket's close ends the stream (`finish`).
  const ours: FrameSerializer = serializer(); // into a 16 kHz mono transport
  /** The samples at 16 kHz an answer holds. */
  const received = (answer: unknown) =>
    ([answer ?? []].flat() as AudioFrame[]).reduce((sum, frame) => {
      assert.equal(frame.sampleRate, 16000);
      return sum + frame.audio.length / 2;
    }, 0);
  const send = (sampleRate: number, ms: number) => {
    const samples = tone(440, sampleRate, (sampleRate * ms) / 1000);
    return received(ours.deserialize(audioMessage(new Uint8Array(samples.buffer), sampleRate, 1)));
  };
  let total = 0;
  for (let i = 0; i < 5; i++) total += send(8000, 20); // 100 ms at 8 kHz
  // The transport's own rate, resampled no more: the 8 kHz filter's stream ends here.
  const atNewRate = send(16000, 20);
  assert.ok(atNewRate > 320, `the 8 kHz filter's last samples lead the 320: ${atNewRate}`);
  total += atNewRate + send(24000, 20) + send(22050, 20) + received(ours.finish?.());
  assert.equal(total, 160 * 16, "160 ms sent, 160 ms at 16 kHz received: every sample of it");
  assert.equal(ours.finish?.() ?? null, null, "nothing more held");
});

Deno.test("`ProtobufSerializer` rejects what is not a well-formed pipecat.Frame with decode errors", () => {
  const ours = serializer();
  const audio = audioMessage;
  for (
    const bad of [
      "hello",
      new Uint8Array([0x0a, 0x05, 0x01]), // truncated
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      toBinary(
        FrameSchema,
        create(FrameSchema, { frame: { case: "message", value: { data: "{nope" } } }),
      ),
      audio(new Uint8Array(3), 16000, 1),
      audio(new Uint8Array(4), 11025, 1),
      audio(new Uint8Array(4), 16000, 0),
      audio(new Uint8Array(4), 0, 1),
    ]
  ) {
    assert.throws(() => ours.deserialize(bad), isDecode);
  }
  assert.throws(
    () => ours.serialize({ type: "message", message: { big: 1n } }),
    (e) => e instanceof TransportError && e.code === "encode",
  );
  assert.throws(
    () =>
      ours.serialize({ type: "audio", audio: new Uint8Array(2), sampleRate: 2 ** 32, channels: 1 }),
    (e) => e instanceof TransportError && e.code === "encode",
  );
});

// A frame whose only field is one frames.proto lacks (a kind a newer sender added) is no frame of
// ours: pipecat's ProtobufFrameSerializer.deserialize logs "Unable to deserialize a valid frame"
// for it (pipecat-ai/pipecat, src/pipecat/serializers/protobuf.py) and the JS client's throws
// "Unknown frame kind" (pipecat-ai/pipecat-client-web-transports,
// transports/websocket-transport/src/serializers/protobufSerializer.ts). Only an empty frame is
// nothing.
Deno.test("`ProtobufSerializer` refuses a pipecat.Frame of a kind frames.proto lacks with a decode error", () => {
  const ours = serializer();
  for (
    const unknownKind of [
      new Uint8Array([0x32, 0x00]), // field 6, an empty message
      new Uint8Array([0x3a, 0x02, 0x08, 0x01]), // field 7, a message holding id = 1
      new Uint8Array([0x30, 0x01]), // field 6 as a varint
    ]
  ) {
    assert.throws(() => ours.deserialize(unknownKind), isDecode, hex(unknownKind));
  }
  assert.equal(ours.deserialize(new Uint8Array(0)), null);
});

Deno.test("`ProtobufSerializer` answers every fuzzed message with frames or a decode error", () => {
  const ours = serializer();
  const valid = fc.oneof(
    fc.record({
      audio: fc.uint8Array({ maxLength: 200 }),
      sampleRate: fc.constantFrom(0, 8000, 16000, 22050, 24000, 44100, 48000, 12345),
      numChannels: fc.nat({ max: 10 }),
    }).map((value) => ({ case: "audio" as const, value })),
    fc.string().map((data) => ({ case: "message" as const, value: { data } })),
    fc.json().map((data) => ({ case: "message" as const, value: { data } })),
    fc.string().map((text) => ({ case: "text" as const, value: { text } })),
    fc.record({ text: fc.string(), userId: fc.string(), timestamp: fc.string() })
      .map((value) => ({ case: "transcription" as const, value })),
    fc.constant({ case: "interruption" as const, value: {} }),
  ).map((frame) => toBinary(FrameSchema, create(FrameSchema, { frame })));
  const mutated = fc.tuple(valid, fc.nat(), fc.integer({ min: 0, max: 255 }))
    .map(([bytes, at, value]) => {
      const copy = bytes.slice();
      if (copy.length > 0) copy[at % copy.length] = value;
      return copy;
    });
  const input = fc.oneof(
    { arbitrary: valid, weight: 4 },
    { arbitrary: mutated, weight: 4 },
    { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 2 },
    { arbitrary: fc.string(), weight: 1 },
  );
  let frames = 0;
  let errors = 0;
  fc.assert(
    fc.property(input, (data) => {
      try {
        if (ours.deserialize(data) !== null) frames++;
      } catch (error) {
        if (!isDecode(error)) throw error;
        errors++;
      }
    }),
    { numRuns: 10_000, seed: 4244 },
  );
  assert.ok(frames > 1000 && errors > 1000, `${frames} frames, ${errors} errors`);
});
