// The pipecat far end presses only what `@pipecat-ai/client-js` can send: its `sendDTMF` takes
// `/^[0-9*#]+$/` and throws "Invalid DTMF sequence … Only 0-9, * and # are allowed." at anything
// else, and throws too before a bot-ready of RTVI 2.0+ (client-js 1.13.1, `PipecatClient.sendDTMF`);
// a 2.1+ bot gets one `dtmf` message `{buttons: [...]}`. A key it cannot press is an unsupported
// press for the simulator to count, not an RTVI message no real client sends.
import assert from "node:assert/strict";
import { fromBinary } from "@bufbuild/protobuf";
import { farEndContext } from "./_context.ts";
import { FAR_ENDS } from "../../../src/simulator/far_ends.ts";
import { ProtobufSerializer } from "../../../src/serializers/protobuf.ts";
import { FrameSchema } from "../../../src/serializers/_pipecat_frames_pb.ts";
import type { Frame } from "../../../src/frames.ts";

/** The RTVI message a binary `pipecat.Frame` holds, read from the wire, not by our serializer. */
function rtviMessage(data: Uint8Array): unknown {
  const { frame } = fromBinary(FrameSchema, data);
  assert.equal(frame.case, "message");
  return JSON.parse(frame.value!.data);
}

Deno.test("the pipecat far end presses 0-9, * and # after bot-ready, as client-js does, and no other key", () => {
  const server = new ProtobufSerializer();
  server.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
  });
  const sent: unknown[] = [];
  const read: Frame[] = [];
  const context = farEndContext({
    send: (data) => {
      sent.push(rtviMessage(data as Uint8Array));
      read.push(...[server.deserialize(data as Uint8Array) ?? []].flat());
    },
  });
  const farEnd = FAR_ENDS["pipecat"]!({});
  farEnd.open(context);
  const ready = sent.shift() as { id: string; type: string };
  assert.equal(ready.type, "client-ready");
  assert.equal(farEnd.sendDtmf("1"), false, "no bot-ready yet: client-js throws");
  farEnd.receive(server.serialize({
    type: "message",
    message: { id: ready.id, label: "rtvi-ai", type: "bot-ready", data: { version: "2.1.0" } },
  }) as Uint8Array);
  for (const key of ["0", "9", "*", "#"]) assert.equal(farEnd.sendDtmf(key), true, key);
  for (const key of ["A", "B", "C", "D"]) assert.equal(farEnd.sendDtmf(key), false, key);
  assert.deepEqual(
    sent.map((m) => (m as { type: string; data: unknown }).data),
    [{ buttons: ["0"] }, { buttons: ["9"] }, { buttons: ["*"] }, { buttons: ["#"] }],
  );
  // What the bot reads of them: a `dtmf` frame per key, as pipecat's RTVIProcessor makes them.
  assert.deepEqual(read.slice(1), ["0", "9", "*", "#"].map((digit) => ({ type: "dtmf", digit })));
});
