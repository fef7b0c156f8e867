// A pipecat client whose `AudioRawFrame` declares a rate the resampler does not take (11025 Hz:
// frames.proto's `uint32 sample_rate = 3` bounds it no tighter, pipecat-ai/pipecat-client-web-
// transports, transports/websocket-transport/proto/frames.proto) has each message refused as a
// decode error, counted, and the session goes on. It was reported at every message too (50 error
// events a second for the rest of the call), where the telephony serializers report a refused
// format once and count the rest (`RefusedFormat`, src/serializers/telephony), and the error named
// no rate that would do. Now: reported once while the client sends at that rate, with the rates.
import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { TransportError, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { ProtobufSerializer } from "../src/serializers/protobuf.ts";
import { FrameSchema } from "../src/serializers/_pipecat_frames_pb.ts";

/** An `AudioRawFrame` of `frames` silent mono samples, declared at `sampleRate`. */
const audioMessage = (frames: number, sampleRate: number) =>
  toBinary(
    FrameSchema,
    create(FrameSchema, {
      frame: {
        case: "audio",
        value: {
          audio: new Uint8Array(frames * 2),
          sampleRate,
          numChannels: 1,
        },
      },
    }),
  );

Deno.test("ProtobufSerializer: a client at a rate the resampler does not take is counted at each message, reported once with the rates", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: new ProtobufSerializer(),
    clock,
  });
  const errors: unknown[] = [];
  transport.addEventListener(
    "error",
    (e) => errors.push((e as ErrorEvent).error),
  );
  let audioFrames = 0;
  transport.receive((frame) => {
    if (frame.type === "audio") audioFrames++;
  });
  await clock.tick(0);
  for (let i = 0; i < 50; i++) { // a second of 20 ms messages
    client.send(audioMessage(220, 11025));
    await clock.tick(20);
  }
  try {
    assert.equal(
      transport.stats.decodeErrors,
      50,
      "each refused message counted",
    );
    assert.equal(audioFrames, 0);
    assert.equal(transport.ending, false, "the session goes on");
    assert.equal(errors.length, 1, `reported once, not ${errors.length} times`);
    assert.ok(
      errors[0] instanceof TransportError && errors[0].code === "decode",
    );
    assert.match(
      String(errors[0]),
      /11025.*8000, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 96000, 192000/,
    );
    // The client at a rate we take is heard again.
    client.send(audioMessage(320, 16000));
    await clock.tick(20);
    assert.equal(audioFrames, 1);
  } finally {
    await transport.close();
  }
});
