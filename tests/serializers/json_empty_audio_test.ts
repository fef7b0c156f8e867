// Audio of no samples. `RawPcmSerializer` reads an empty binary message as nothing, and
// `ProtobufSerializer` a pipecat.Frame whose AudioRawFrame has empty `audio` (frames.proto)
// likewise; `JsonSerializer` made `{"type":"audio","audio":""}` a frame of zero bytes, which the
// transport handed on: a place in the reader's queue, a frame counted in `framesIn`, and audio
// that lasts no time for the bot.
import assert from "node:assert/strict";
import {
  type Frame,
  JsonSerializer,
  RawPcmSerializer,
  TransportError,
  WebSocketTransport,
} from "../../mod.ts";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const SETUP = {
  inputSampleRate: 16000,
  inputChannels: 1,
  outputSampleRate: 16000,
  outputChannels: 1,
};
const EMPTY = { type: "audio", audio: new Uint8Array(0), sampleRate: 16000, channels: 1 } as const;

Deno.test("`JsonSerializer` reads audio of no samples as nothing, as the raw and protobuf serializers do", () => {
  const json = new JsonSerializer();
  json.setup(SETUP);
  const raw = new RawPcmSerializer();
  raw.setup(SETUP);
  const protobuf = new ProtobufSerializer();
  protobuf.setup(SETUP);
  assert.equal(raw.deserialize(new Uint8Array(0)), null);
  const protobufEmpty = protobuf.serialize(EMPTY);
  assert.ok(protobufEmpty instanceof Uint8Array);
  assert.equal(protobuf.deserialize(protobufEmpty), null);
  // Was: { type: "audio", audio: Uint8Array(0), sampleRate: 16000, channels: 1 }.
  assert.equal(json.deserialize(json.serialize(EMPTY)), null);
  assert.equal(json.deserialize('{"type":"audio","audio":""}'), null);
  // Its fields are still read as strictly: empty audio is no leave to send a wrong one.
  assert.throws(
    () => json.deserialize('{"type":"audio","audio":"","sampleRate":0}'),
    (e) => e instanceof TransportError && e.code === "decode" && e.message.includes("sampleRate"),
  );
});

Deno.test("a transport on `JsonSerializer` hands on no frame for an empty audio message", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: new JsonSerializer(),
    audioIn: { sampleRate: 16000, channels: 1 },
    clock,
  });
  const frames: Frame[] = [];
  transport.receive((frame) => frames.push(frame));
  client.send('{"type":"audio","audio":""}');
  client.send(JSON.stringify({ type: "audio", audio: btoa("\0\0".repeat(320)) }));
  await clock.tick(1);
  assert.deepEqual(frames.map((f) => f.type === "audio" && f.audio.length), [640]);
  assert.equal(transport.stats.framesIn, 1);
  assert.equal(transport.stats.decodeErrors, 0);
  await transport.close();
  await clock.tick(10_000);
});
