// frames.proto's AudioRawFrame says `uint32 num_channels = 5` and nothing narrower
// (pipecat-ai/pipecat-client-web-transports, transports/websocket-transport/proto/frames.proto),
// and a transport's audio may have up to MAX_CHANNELS (32) channels (`audioIn.channels`,
// src/transport_options.ts): audio with as many channels as the transport's input, or any count
// a transport takes, is read, not refused for having more than eight.
import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { FrameSchema } from "../../src/serializers/_pipecat_frames_pb.ts";
import { MAX_CHANNELS } from "../../src/audio/_frame_limits.ts";
import { TransportError } from "../../src/errors.ts";
import type { AudioFrame } from "../../src/frames.ts";

const audioMessage = (samples: Int16Array, sampleRate: number, numChannels: number) =>
  toBinary(
    FrameSchema,
    create(FrameSchema, {
      frame: {
        case: "audio",
        value: { audio: new Uint8Array(samples.buffer), sampleRate, numChannels },
      },
    }),
  );

function serializer(inputChannels: number): ProtobufSerializer {
  const s = new ProtobufSerializer();
  s.setup({ inputSampleRate: 16000, inputChannels, outputSampleRate: 24000, outputChannels: 1 });
  return s;
}

Deno.test("`ProtobufSerializer` reads audio of every channel count a transport takes", () => {
  const channels = 12;
  // 10 ms of 12 channels, channel c holding c × 100.
  const samples = new Int16Array(160 * channels).map((_, i) => (i % channels) * 100);
  const same = serializer(channels).deserialize(audioMessage(samples, 16000, channels));
  assert.deepEqual(same, {
    type: "audio",
    audio: new Uint8Array(samples.buffer),
    sampleRate: 16000,
    channels,
  });
  const mono = serializer(1).deserialize(audioMessage(samples, 16000, channels)) as AudioFrame;
  assert.equal(mono.channels, 1);
  assert.deepEqual(new Set(new Int16Array(mono.audio.slice().buffer)), new Set([550]));
  const widest = serializer(1).deserialize(
    audioMessage(new Int16Array(MAX_CHANNELS * 4), 16000, MAX_CHANNELS),
  ) as AudioFrame;
  assert.equal(widest.audio.length, 8);
  assert.throws(
    () =>
      serializer(1).deserialize(
        audioMessage(new Int16Array((MAX_CHANNELS + 1) * 4), 16000, MAX_CHANNELS + 1),
      ),
    (e) => e instanceof TransportError && e.code === "decode" && /num_channels 33/.test(e.message),
  );
});
