// The protobuf serializer cuts the frames it resamples from a slab of the session's own (16 KB):
// once the session is over it lets go of it (and of its resampler), so that a transport kept after
// the session, for its `stats`, holds neither (measured in serializer_retained_more_audio_test.ts).
import assert from "node:assert/strict";
import { type AudioFrame, WebSocketTransport } from "../../mod.ts";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

/** What the pipecat client sends: 20 ms at 8 kHz, a binary `pipecat.Frame`. */
const clientAudio = () =>
  new ProtobufSerializer().serialize({
    type: "audio",
    audio: new Uint8Array(320).fill(3),
    sampleRate: 8000,
    channels: 1,
  }) as Uint8Array;

Deno.test("`ProtobufSerializer` lets go of the session's slab once the session is over", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const serializer = new ProtobufSerializer();
  const transport = new WebSocketTransport(server, {
    serializer,
    audioIn: { sampleRate: 16000 },
    clock,
  });
  const frames: AudioFrame[] = [];
  transport.receive((frame) => void (frame.type === "audio" && frames.push(frame)));
  await clock.tick(0);
  for (let i = 0; i < 3; i++) client.send(clientAudio());
  await clock.tick(0);
  client.close(1000);
  await transport.closed;
  assert.ok(frames.length > 0, "the client's audio, resampled to 16 kHz");
  const slab = frames[0]!.audio.buffer;
  // Used after all (a late call of one's own), it cuts from a new slab: the session's is gone.
  const late = serializer.deserialize(clientAudio()) as AudioFrame;
  assert.equal(late.sampleRate, 16000);
  assert.notEqual(
    late.audio.buffer,
    slab,
    "a frame after the session is not on the session's slab",
  );
});
