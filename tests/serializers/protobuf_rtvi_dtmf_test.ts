// A pipecat client's keypresses. `PipecatClient.sendDTMF("12#")` (pipecat-client-web,
// client-js `client/client.ts`; the npm client-js 1.13 this repository tests against does too)
// sends one RTVI message `{label: "rtvi-ai", type: "dtmf", id, data: {buttons: ["1", "2", "#"]}}`
// to a bot on RTVI protocol 2.1.0, and one `{button: "1"}` message per key to a bot that announced
// 2.0.x. pipecat's own server (`src/pipecat/processors/frameworks/rtvi/processor.py`,
// `_handle_dtmf`) makes an `InputDTMFFrame` of each key, in order: the bot reads them as a
// caller's keypad. So the bot gets `dtmf` frames here too, not a `message` frame it must know RTVI
// to read.
import assert from "node:assert/strict";
import { RTVIMessageType } from "@pipecat-ai/client-js";
import type { Frame } from "../../src/frames.ts";
import { fromPipecatClient, pipecatSession } from "./fixtures/pipecat_session.ts";
import { serializer } from "./fixtures/protobuf_serializer.ts";

const asFrames = (result: Frame | Frame[] | null): Frame[] =>
  result === null ? [] : Array.isArray(result) ? result : [result];

Deno.test("`ProtobufSerializer` reads the client's sendDTMF keys as dtmf frames, in order", () => {
  assert.equal(RTVIMessageType.DTMF, "dtmf", "the client's own name for the message");
  const ours = serializer();
  assert.deepEqual(
    asFrames(ours.deserialize(fromPipecatClient("dtmf", { buttons: ["1", "2", "#"] }))),
    [
      { type: "dtmf", digit: "1" },
      { type: "dtmf", digit: "2" },
      { type: "dtmf", digit: "#" },
    ],
  );
  // A bot that announced 2.0.x gets one legacy `{button}` message per key.
  assert.deepEqual(asFrames(ours.deserialize(fromPipecatClient("dtmf", { button: "*" }))), [
    { type: "dtmf", digit: "*" },
  ]);
});

Deno.test("`ProtobufSerializer` keeps a dtmf message that holds no keypress as the message it is", () => {
  const ours = serializer();
  const odd: unknown[] = [
    { buttons: [] }, // pipecat: min_length=1
    { buttons: ["1", "A"] }, // no keypad letters in pipecat's KeypadEntry nor the client's check
    { buttons: ["12"] },
    { buttons: "12" },
    { button: 1 },
    {},
    null,
  ];
  for (const data of odd) {
    const frame = ours.deserialize(fromPipecatClient("dtmf", data));
    assert.ok(!Array.isArray(frame) && frame?.type === "message", JSON.stringify(data));
    assert.deepEqual((frame.message as { data: unknown }).data, data);
  }
  // Not RTVI's label, or not its dtmf: a message, as every other.
  for (
    const message of [{ label: "other", type: "dtmf", data: { buttons: ["1"] } }, {
      label: "rtvi-ai",
      type: "client-message",
      data: { buttons: ["1"] },
    }]
  ) {
    const wire = ours.serialize({ type: "message", message }) as Uint8Array;
    assert.deepEqual(ours.deserialize(wire), { type: "message", message });
  }
});

Deno.test("`ProtobufSerializer` through a transport: the bot reads the client's keys as dtmf frames", async () => {
  const { clock, pair, transport } = pipecatSession();
  const frames: Frame[] = [];
  transport.receive((frame) => void frames.push(frame));
  await clock.tick(10);
  pair.client.send(fromPipecatClient("dtmf", { buttons: ["4", "2"] }));
  await clock.tick(10);
  assert.deepEqual(frames, [{ type: "dtmf", digit: "4" }, { type: "dtmf", digit: "2" }]);
  assert.equal(transport.stats.decodeErrors, 0);
  await transport.close();
  await clock.tick(1000);
});
