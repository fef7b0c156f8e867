// The wall-time bound on media held behind a hole is for a far end that sends nothing after the
// hole. A stream that keeps coming a little out of order (each packet two behind, as a network
// spreading packets over two paths delivers them) always holds something, but every hole fills
// within the reorder window: the bound must not give those holes up (silence for audio that then
// comes, counted late and dropped). Packets numbered as Twilio's `media.chunk` (twilio.com/docs/
// voice/media-streams/websocket-messages, "Media message": chunk, timestamp, payload).
import assert from "node:assert/strict";
import { encodeBase64 } from "../../../src/serializers/telephony/base64.ts";
import { clockedStage } from "./_ordered_media_stage.ts";

const PAYLOAD_20MS = encodeBase64(new Uint8Array(160).fill(0xff));
/** The reorder window's default, and the wall-time bound: four windows. */
const BOUND_MS = 4 * 60;

function stage() {
  const { clock, handedOn, counted, ordered } = clockedStage();
  const out: number[] = [];
  const push = (chunk: number) => {
    const frames = ordered.push({
      sequence: chunk,
      timestampMs: (chunk - 1) * 20,
      payload: PAYLOAD_20MS,
    });
    for (const frame of frames) if (frame.type === "audio") out.push(frame.timestampMs!);
  };
  return { clock, handedOn, counted, push, out };
}

Deno.test("`OrderedMedia`'s wall-time bound gives up no hole of a stream that keeps coming out of order, each hole filled within its window", async () => {
  const { clock, handedOn, counted, push, out } = stage();
  // 1, 3, 5, 2, 7, 4, 9, 6, …: each even chunk two packets late, something always held.
  const order = [1, 3];
  for (let chunk = 5; chunk <= 41; chunk += 2) order.push(chunk, chunk - 3);
  order.push(40);
  for (const chunk of order) {
    push(chunk);
    await clock.tick(20); // one packet of wall time between messages: 0.8 s in all
  }
  assert.ok(order.length * 20 > 3 * BOUND_MS, "the stream outlasts the bound several times");
  // Was: a 20 ms gap filled at the bound, its chunk dropped as late when it came.
  assert.deepEqual(handedOn, [], "nothing waited as long as the bound");
  assert.equal(counted.inboundMediaGapsFilled, undefined);
  assert.equal(counted.inboundMediaLate, undefined);
  assert.deepEqual(out, Array.from({ length: 41 }, (_, i) => i * 20), "every chunk, in order");
});

Deno.test("`OrderedMedia`'s wall-time bound still gives up a hole the far end never fills, counted from the stage's last move", async () => {
  const { clock, handedOn, counted, push, out } = stage();
  for (const chunk of [1, 3, 5, 2, 7, 4]) {
    push(chunk);
    await clock.tick(20);
  }
  // 6 never comes, and nothing after 7: 7 has waited since 4 moved the stage on.
  assert.deepEqual(out, [0, 20, 40, 60, 80]);
  await clock.tick(BOUND_MS - 20 - 1);
  assert.equal(handedOn.length, 0, "not before its bound");
  await clock.tick(1);
  assert.equal(handedOn.length, 1);
  assert.deepEqual(handedOn[0]!.map((frame) => frame.type === "audio" && frame.timestampMs), [
    100,
    120,
  ], "the hole's silence, then chunk 7");
  assert.equal(counted.inboundMediaGapsFilled, 1);
});
