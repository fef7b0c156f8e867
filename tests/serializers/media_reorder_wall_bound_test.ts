import assert from "node:assert/strict";
import { WebSocketTransport } from "@x/ws-transport";
import { FakeClock, MemorySocketPair } from "@x/ws-transport/testing";
import type { AudioFrame, Frame } from "../../mod.ts";
import type { ClockTimer } from "../../src/clock.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { OrderedMedia } from "../../src/serializers/telephony/ordered_media.ts";
import { TelephonyAudio } from "../../src/serializers/telephony/telephony_audio.ts";
import { telnyxIds } from "./fixtures/telnyx_call.ts";
import { NARROWBAND_SETUP } from "./fixtures/narrowband_call.ts";
import { recordingContext } from "./fixtures/recording_context.ts";

// A Telnyx far end shaped as in Telnyx's "Stream call media over WebSocket" AsyncAPI reference
// (developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket): a start
// frame, then media frames with media.track, media.chunk, media.timestamp and a base64 RTP
// payload ("Media frame order is not guaranteed. Use media.chunk, media.timestamp, and
// sequence_number to order frames"). Chunk 3 never comes, and after chunk 4 the far end sends
// nothing more while the socket stays open.

const PCMU_SILENCE_20MS = btoa(String.fromCharCode(...new Uint8Array(160).fill(0xff)));
/** The reorder window's default, and the wall-time bound: four windows. */
const WINDOW_MS = 60;
const BOUND_MS = 4 * WINDOW_MS;

const media = (chunk: number) =>
  JSON.stringify({
    event: "media",
    sequence_number: String(chunk + 1),
    stream_id: telnyxIds.stream,
    media: {
      track: "inbound",
      chunk: String(chunk),
      timestamp: String((chunk - 1) * 20),
      payload: PCMU_SILENCE_20MS,
    },
  });

const audioMs = (frames: Frame[]) =>
  frames.filter((frame): frame is AudioFrame => frame.type === "audio")
    .map((frame) => frame.audio.length / 2 / 8);

Deno.test("`OrderedMedia` hands on media held behind a hole once it has waited four windows of wall time, the far end silent", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: new TelnyxSerializer(),
    clock,
    audioIn: { sampleRate: 8000, channels: 1 },
  });
  const frames: Frame[] = [];
  const reading = (async () => {
    for await (const frame of transport.readable) frames.push(frame);
  })();
  client.send(JSON.stringify({
    event: "start",
    sequence_number: "1",
    stream_id: telnyxIds.stream,
    start: {
      call_control_id: telnyxIds.call,
      media_format: { encoding: "PCMU", sample_rate: 8000, channels: 1 },
    },
  }));
  for (const chunk of [1, 2, 4]) client.send(media(chunk));
  await clock.tick(1);
  assert.deepEqual(audioMs(frames), [20, 20], "chunk 4 waits behind the hole at chunk 3");
  await clock.tick(BOUND_MS - 2);
  assert.deepEqual(audioMs(frames), [20, 20], "not before its bound");
  await clock.tick(1);
  // Was: [20, 20] until the close, chunk 4 held for as long as the far end said nothing.
  assert.deepEqual(audioMs(frames), [20, 20, 20, 20], "the hole's 20 ms of silence, then chunk 4");
  assert.equal(transport.stats.inboundMediaGapsFilled, 1);
  assert.equal(transport.stats.inboundMediaGapMs, 20);
  // The hole's packet, coming after all, is late: dropped, counted.
  client.send(media(3));
  await clock.tick(1);
  assert.equal(audioMs(frames).length, 4);
  assert.equal(transport.stats.inboundMediaLate, 1);
  await transport.close();
  await clock.tick(10_000);
  await reading;
  assert.equal(audioMs(frames).length, 4, "nothing handed on twice at the close");
});

/** A fake clock that counts the timers made and armed, and the clock reads. */
function countingClock() {
  const clock = new FakeClock();
  const counts = { timers: 0, arms: 0, cancels: 0 };
  const timer = clock.timer.bind(clock);
  clock.timer = (callback, options): ClockTimer => {
    counts.timers++;
    const made = timer(callback, options);
    return {
      arm: (ms, now) => {
        counts.arms++;
        made.arm(ms, now);
      },
      cancel: () => {
        if (made.armed) counts.cancels++;
        made.cancel();
      },
      get armed() {
        return made.armed;
      },
    };
  };
  return { clock, counts };
}

function stage() {
  const { clock, counts } = countingClock();
  const handedOn: Frame[][] = [];
  const { context } = recordingContext({
    clock,
    inboundFrames: (frames) => void handedOn.push(frames),
  });
  const audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000 });
  audio.setup(NARROWBAND_SETUP);
  const ordered = new OrderedMedia({ audio, provider: "Telnyx" });
  ordered.bind(context);
  const push = (chunk: number) =>
    ordered.push({ sequence: chunk, timestampMs: (chunk - 1) * 20, payload: PCMU_SILENCE_20MS });
  return { clock, counts, handedOn, ordered, push };
}

Deno.test("`OrderedMedia` arms its wall-time bound only at a hole, once, and a hole filled in time disarms it", async () => {
  const { clock, counts, handedOn, push } = stage();
  for (let chunk = 1; chunk <= 50; chunk++) push(chunk);
  assert.deepEqual(counts, { timers: 0, arms: 0, cancels: 0 }, "nothing per packet in order");
  push(52);
  push(53);
  assert.deepEqual(counts, { timers: 1, arms: 1, cancels: 0 }, "one arming for the hole");
  await clock.tick(BOUND_MS / 2);
  assert.equal(push(51).length, 3, "the hole filled: 51, 52, 53");
  assert.deepEqual(counts, { timers: 1, arms: 1, cancels: 1 });
  await clock.tick(10 * BOUND_MS);
  assert.deepEqual(handedOn, []);
});

Deno.test("`OrderedMedia` cancels its wall-time bound when the stream ends with media held", async () => {
  const { clock, counts, handedOn, ordered, push } = stage();
  push(1);
  push(3);
  assert.deepEqual(audioMs(ordered.flush()), [20, 20], "the close hands it on");
  assert.deepEqual(counts, { timers: 1, arms: 1, cancels: 1 });
  await clock.tick(10 * BOUND_MS);
  assert.deepEqual(handedOn, []);
});
