// A decode still under way when the session ends is counted once, as a message dropped unread
// (`inboundMessagesDroppedOnClose`). When it answers after all and its media lands behind a hole
// in a reorder window (`OrderedMedia`), the window's wall-time wait, which ends with the session
// (its signal), is not armed again: armed, it outlived the session and handed that media to it
// later, counted a second time in `inboundFramesDroppedOnClose` (with a silence frame for a gap
// `inboundMediaGapsFilled` never counted). Found by the surface fuzz, seeds 2334 and 2744 (twilio).
import assert from "node:assert/strict";
import { WebSocketTransport } from "../mod.ts";
import type { Frame } from "../src/frames.ts";
import type { FrameSerializer } from "../src/serializer.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { OrderedMedia } from "../src/serializers/telephony/ordered_media.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { globexAudio } from "./serializers/telephony/_ordered_media_stage.ts";
import { recordingContext } from "./serializers/fixtures/recording_context.ts";
import {
  MULAW_SILENCE_20MS,
  MULAW_SILENCE_BYTES_20MS,
  twilioMedia,
  twilioStart,
} from "./serializers/fixtures/twilio_call.ts";

/** The reorder window's default (60 ms) four times over: `OrderedMedia`'s wall-time bound. */
const HELD_BOUND_MS = 4 * 60;

/** Chunk `chunk` of 20 ms of silence, its timestamp counted from the stream's start (0 ms). */
const silenceChunk = (chunk: number) =>
  twilioMedia(MULAW_SILENCE_BYTES_20MS, chunk, { timestampMs: (chunk - 1) * 20 });

/**
 * Twilio's serializer, read asynchronously (as `FrameSerializer.deserialize` allows): chunk 3
 * only after `slowMs` of the session's clock, the rest at once.
 */
function slowChunkTwilio(clock: FakeClock, slowMs: number): FrameSerializer {
  const serializer: FrameSerializer = new TwilioSerializer();
  const read = serializer.deserialize.bind(serializer);
  serializer.deserialize = (data) => {
    if (typeof data !== "string" || !data.includes(`"chunk":"3"`)) return read(data);
    return clock.sleep(slowMs).then(() => read(data));
  };
  return serializer;
}

Deno.test("media of a decode given up at the session's end, answered later behind a hole, is not handed on and counted again", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: slowChunkTwilio(clock, 1000),
    clock,
    audioIn: { sampleRate: 8000, channels: 1 }, // Twilio's own rate: no resampler tail
    closeTimeoutMs: 500,
  });
  const frames: Frame[] = [];
  transport.receive((frame) => void frames.push(frame));
  await clock.tick(0);
  // The far end: its start, chunk 1, chunk 3 (chunk 2 lost), then its close.
  client.send(twilioStart());
  client.send(silenceChunk(1));
  client.send(silenceChunk(3));
  client.close(1000, "bye");
  // Chunk 3's decode outlasts the read-on after the peer's close (closeTimeoutMs).
  await clock.tick(500);
  await transport.closed;
  assert.deepEqual(frames.map((frame) => frame.type), ["start", "audio"]);
  const atTheEnd = { ...transport.stats };
  assert.equal(atTheEnd.messagesIn, 3);
  assert.equal(atTheEnd.inboundMessagesDroppedOnClose, 1, "chunk 3, its decode under way");
  assert.equal(atTheEnd.inboundFramesDroppedOnClose, 0);
  // Chunk 3 is read after all, behind its hole, the session over.
  await clock.tick(500);
  assert.equal(clock.pendingTimers, 0, "no wait for the hole outlives the session");
  await clock.tick(10 * HELD_BOUND_MS);
  assert.deepEqual(transport.stats, atTheEnd, "chunk 3 counted once, as a message unread");
  assert.deepEqual(frames.map((frame) => frame.type), ["start", "audio"]);
});

Deno.test("`OrderedMedia` arms no wall-time wait for media pushed behind a hole once its session has ended", async () => {
  const clock = new FakeClock();
  const handedOn: Frame[][] = [];
  const session = new AbortController();
  const { context, counted } = recordingContext({
    clock,
    signal: session.signal,
    inboundFrames: (frames) => void handedOn.push(frames),
  });
  const ordered = new OrderedMedia({ audio: globexAudio(), provider: "Globex" });
  ordered.bind(context);
  const payload = MULAW_SILENCE_20MS;
  const push = (chunk: number) =>
    ordered.push({ sequence: chunk, timestampMs: (chunk - 1) * 20, payload });
  assert.equal(push(1).length, 1);
  session.abort();
  assert.deepEqual(push(3), [], "held behind the hole at 2");
  assert.equal(clock.pendingTimers, 0);
  await clock.tick(10 * HELD_BOUND_MS);
  assert.deepEqual(handedOn, []);
  assert.equal(counted.inboundMediaGapsFilled, undefined);
});
