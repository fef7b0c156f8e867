// The frame kinds other than audio and messages, each way, against the two far ends the protobuf
// serializer meets.
//
// From pipecat: its `ProtobufFrameSerializer.serialize` (pipecat-ai/pipecat,
// src/pipecat/serializers/protobuf.py, v1.3.0 on for `interruption`) copies every truthy dataclass
// field the proto message has, so a TextFrame, TranscriptionFrame or InterruptionFrame carries its
// `id` and `name` (`"<Class>#<n>"`) too. The vectors below are what pipecat's own generated module
// (src/pipecat/frames/protobufs/frames_pb2.py, on the protobuf 6.33 upb runtime) writes for such
// frames.
//
// To the official JS client: `@pipecat-ai/websocket-transport` 1.7.1's
// `ProtobufFrameSerializer.deserialize` (pipecat-ai/pipecat-client-web-transports,
// transports/websocket-transport/src/serializers/protobufSerializer.ts) reads `audio` and
// `message` and throws "Unknown frame kind" for anything else, which its transport logs as
// "Failed to deserialize incoming message" and drops.
import assert from "node:assert/strict";
import { ProtobufFrameSerializer } from "@pipecat-ai/websocket-transport";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import type { Frame } from "../../src/frames.ts";
import { serializer } from "./fixtures/protobuf_serializer.ts";

const unhex = (text: string) => new Uint8Array(text.match(/../g)!.map((h) => parseInt(h, 16)));

Deno.test("`ProtobufSerializer` reads pipecat's text, transcription and interruption frames with their id and name", () => {
  const ours = serializer();
  // Frame { text: TextFrame { id: 7, name: "TextFrame#1", text: "héllo" } }
  assert.deepEqual(
    ours.deserialize(unhex("0a170807120b546578744672616d6523311a0668c3a96c6c6f")),
    { type: "text", text: "héllo" },
  );
  // Frame { transcription: { id: 9, name: "TranscriptionFrame#2", text: "hi there",
  //   user_id: "u-1", timestamp: "2026-12-07T20:00:00.000+00:00" } }
  assert.deepEqual(
    ours.deserialize(unhex(
      "1a46080912145472616e736372697074696f6e4672616d6523321a0868692074686572652203752d31" +
        "2a1d323032362d31322d30375432303a30303a30302e3030302b30303a3030",
    )),
    {
      type: "transcription",
      text: "hi there",
      userId: "u-1",
      timestamp: "2026-12-07T20:00:00.000+00:00",
    },
  );
  // Frame { interruption: InterruptionFrame { id: 42, name: "InterruptionFrame#3" } }
  assert.deepEqual(
    ours.deserialize(unhex("2a17082a1213496e74657272757074696f6e4672616d652333")),
    { type: "interruption" },
  );
});

Deno.test("the official JS client reads audio and messages of what `ProtobufSerializer` writes, and refuses text, transcription and interruption", async () => {
  const client = new ProtobufFrameSerializer();
  const ours = serializer();
  const read = (frame: Frame) =>
    client.deserialize(new Blob([ours.serialize(frame) as Uint8Array<ArrayBuffer>]));
  assert.equal(
    (await read({ type: "audio", audio: new Uint8Array(4), sampleRate: 24000, channels: 1 }))
      .type,
    "audio",
  );
  assert.equal((await read({ type: "message", message: { label: "rtvi-ai" } })).type, "message");
  const refused: Frame[] = [
    { type: "text", text: "hello" },
    { type: "transcription", text: "hi", userId: "u1", timestamp: "2026-12-07T20:00:00Z" },
    { type: "interruption" },
  ];
  for (const frame of refused) {
    await assert.rejects(read(frame), /Unknown frame kind/, frame.type);
  }
  // Hence the option: without it the client's console stays quiet at every interruption.
  assert.equal(
    new ProtobufSerializer({ sendInterruptions: false }).serialize({ type: "interruption" }),
    null,
  );
});
