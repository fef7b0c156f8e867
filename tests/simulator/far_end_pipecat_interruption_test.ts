// The pipecat far end is `@pipecat-ai/websocket-transport` (1.7.1, the newest): its schema
// (transports/websocket-transport/proto/frames.proto) has no `InterruptionFrame`, its
// `ProtobufFrameSerializer.deserialize` throws "Unknown frame kind" at any frame but `audio` and
// `message`, and `WebSocketTransport` logs that ("Failed to deserialize incoming message") and
// goes on: the audio it was given plays on (nothing in the transport or in client-js empties the
// player on it, nor on RTVI's `user-started-speaking`). pipecat servers since 1.3.0 send the frame
// (field 5) on a barge-in. The far end emptied its playout buffer on it, so a bot that sends its
// reply ahead of time and counts on the client to drop it passed a barge-in here that the caller
// hears through live.
import assert from "node:assert/strict";
import { farEndContext } from "./far_ends/_context.ts";
import { FAR_ENDS } from "../../src/simulator/far_ends.ts";
import { IDLE_CONTEXT } from "../../src/simulator/_idle_context.ts";
import { encodeAudioFrame } from "../../src/simulator/far_ends/_pipecat_protobuf.ts";

/** `pipecat.Frame` with field 5 (`InterruptionFrame interruption = 5`), empty: tag 5·8+2, length 0. */
const INTERRUPTION_FRAME = new Uint8Array([0x2a, 0x00]);

Deno.test("the pipecat far end plays on through an InterruptionFrame, as the JS client does", () => {
  const played: number[] = [];
  const notes: string[] = [];
  let clears = 0;
  const farEnd = FAR_ENDS["pipecat"]!({});
  farEnd.open(farEndContext({
    sleep: IDLE_CONTEXT.sleep, // no bot-ready is sent: only the frames are judged here
    play: (samples) => played.push(samples.length),
    clear: () => clears++,
    note: (what) => notes.push(what),
  }));
  farEnd.receive(encodeAudioFrame(new Uint8Array(960), 24000)); // 20 ms at 24 kHz
  farEnd.receive(INTERRUPTION_FRAME);
  assert.equal(clears, 0, "the client keeps playing what it was sent");
  assert.deepEqual(played, [480]);
  assert.equal(notes.length, 1, "the frame the client ignores is counted");
  assert.match(notes[0]!, /interruption/);
});
