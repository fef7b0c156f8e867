// A binary message that is no `pipecat.Frame` is a `pipecat.bad-frame` whose detail says what is
// wrong with it. `@pipecat-ai/websocket-transport` reads each message with protobuf-ts's
// `BinaryReader`, whose `tag()` throws "illegal tag: field no 0 wire type 0" at a tag of field 0
// (protobuf field numbers start at 1, "Language Guide (proto 3)", Assigning Field Numbers). The
// far end read such a tag as a field and went on: raw PCM silence from a bot on the wrong
// protocol (all zero bytes) was read as one "field 0" per two bytes, then told as
// "not a pipecat.Frame: not a pipecat.Frame", naming nothing.
import assert from "node:assert/strict";
import { farEndContext } from "./far_ends/_context.ts";
import { FAR_ENDS } from "../../src/simulator/far_ends.ts";
import { IDLE_CONTEXT } from "../../src/simulator/_idle_context.ts";

/** The bad-frame details the pipecat far end gives for each of `messages`. */
function badFrames(messages: Uint8Array[]): string[] {
  const details: string[] = [];
  const farEnd = FAR_ENDS["pipecat"]!({});
  farEnd.open(farEndContext({
    // The wait for bot-ready never ends: only the messages are judged here.
    sleep: IDLE_CONTEXT.sleep,
    violation: (rule, detail) => {
      assert.equal(rule, "pipecat.bad-frame");
      details.push(detail);
    },
  }));
  for (const message of messages) farEnd.receive(message);
  return details;
}

Deno.test("the pipecat far end refuses a tag of field 0 as the client's protobuf reader does", () => {
  const silence = new Uint8Array(640); // 20 ms of 16 kHz PCM16 silence, as a raw-PCM bot sends it
  assert.deepEqual(badFrames([silence]), [
    "not a pipecat.Frame: illegal tag: field no 0 wire type 0",
  ]);
});

Deno.test("the pipecat far end says what is wrong with a message that holds no frame", () => {
  assert.deepEqual(badFrames([new Uint8Array(0), new Uint8Array([0x08, 0x01])]), [
    "not a pipecat.Frame: an empty message, no frame in it",
    "not a pipecat.Frame: field 1 has wire type 0, not a length-delimited frame",
  ]);
});
