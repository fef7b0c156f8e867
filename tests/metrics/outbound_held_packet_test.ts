// With `fixedAudioPacketSize`, the packetizer holds the end of what a chunk brought for a packet not
// yet whole: told to the observers with its chunk, it has not left. Where the session ends (we
// close, the far end closes) or an interruption comes, it is dropped, counted in
// `audioBytesDroppedOnClose` or `audioBytesInterrupted`, never in `audioBytesSent`: so
// `voice.outbound.audio` and `.chunks` must not count it either, and a recording must not keep it.
import assert from "node:assert/strict";
import { CallRecorder, type Frame } from "../../mod.ts";
import { RawPcmSerializer } from "../../src/serializers/raw_pcm.ts";
import { StallClock } from "../_stall_clock.ts";
import { count, parseWav, sampleOf } from "../recording/_wav.ts";
import { meteredCall } from "./_metered_call.ts";

/** The far end's bytes of the bot's speech. */
const SPEECH = 1;
/** 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;

const speech = (ms: number, value = SPEECH, responseId = "r1"): Frame => ({
  type: "audio",
  audio: new Uint8Array(ms * BYTES_PER_MS).fill(value),
  sampleRate: 16000,
  channels: 1,
  responseId,
});

/**
 * 1280-byte packets (40 ms), 20 ms chunks, a lead of 100 ms: `ms` (a whole number of packets and
 * a half, 100 ms or more) written at once, and the clock moved on until every chunk has left, 10
 * ms after the last: all has left but the last 20 ms, which the packetizer holds (the stretch's
 * end, where the `"drop"` policy drops it, comes only at the quiet time, 100 ms after the last
 * chunk). Options over `meteredCall`'s; the session is recorded.
 */
async function heldCall(ms: number, options: { serializer?: RawPcmSerializer } = {}) {
  const c = meteredCall(new StallClock(), {
    fixedAudioPacketSize: 1280,
    lastPacket: "drop",
    sendAheadMs: 100,
    ...options,
  });
  const recorder = new CallRecorder({ clock: c.clock, sampleRate: 16000 });
  c.transport.observe(recorder);
  const wav = new Response(recorder.readable).arrayBuffer();
  await c.clock.tick(0);
  c.transport.send(speech(ms));
  await c.clock.tick(ms - 100 + 10); // the last chunk is due 100 ms before it plays
  assert.equal(c.transport.stats.audioBytesSent, (ms - 20) * BYTES_PER_MS); // the rest is held
  /** The bot's side of the recording, once the session is over: ms of bytes `value`. */
  const recordedMs = async (value: number) => {
    const bot = parseWav(new Uint8Array(await wav)).samples[1]!;
    return count(bot, sampleOf(value)) / 16;
  };
  return { ...c, recordedMs };
}

Deno.test("`SessionMetrics` does not count as sent the partial packet a local close drops", async () => {
  const c = await heldCall(100);
  const closing = c.transport.close();
  await c.clock.tick(1000);
  await closing;
  await c.transport.closed;
  assert.equal(c.transport.stats.audioBytesDroppedOnClose, 20 * BYTES_PER_MS);
  assert.equal(c.metrics.snapshot().outbound.audioMs, 80);
  assert.equal(c.metrics.snapshot().outbound.chunks, 4); // five told, the last wholly held
  assert.match(c.summaries[0]!.line, / out_chunks=4 out_audio_ms=80 /);
});

Deno.test("`SessionMetrics` does not count as sent the partial packet the far end's close drops", async () => {
  const c = await heldCall(100);
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.equal(c.transport.stats.audioBytesDroppedOnClose, 20 * BYTES_PER_MS);
  const { outbound } = c.metrics.snapshot();
  assert.equal(outbound.audioMs, c.transport.stats.audioBytesSent / BYTES_PER_MS);
  assert.equal(outbound.audioMs, 80);
  assert.match(c.summaries[0]!.line, / out_chunks=4 out_audio_ms=80 /);
});

Deno.test("`SessionMetrics` does not count as sent the partial packet an interruption drops (far end cleared)", async () => {
  // MarkingSerializer answers the interruption with a clear: what left and had not played is
  // dropped at the far end, but it was sent; the held 20 ms never was.
  const c = await heldCall(180);
  await c.transport.interrupt();
  const { outbound } = c.metrics.snapshot();
  assert.equal(c.transport.stats.audioBytesSent, 160 * BYTES_PER_MS); // cleared, but it left
  assert.equal(outbound.bytesInterrupted, 20 * BYTES_PER_MS);
  assert.equal(outbound.audioMs, 160);
  assert.equal(outbound.chunks, 8);
  // The recording is cut where the far end was playing (90 ms in), and the next reply is
  // recorded whole: told the held packet was dropped after the interruption's cut, it moves
  // nothing.
  c.transport.send(speech(40, 2, "r2"));
  await c.clock.tick(1000);
  assert.equal(c.farEnd.playedMs(SPEECH), 90);
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.equal(await c.recordedMs(SPEECH), 90);
  assert.equal(await c.recordedMs(2), 40);
});

Deno.test("`SessionMetrics` does not count as sent the partial packet an interruption drops, and the recording keeps what played", async () => {
  // Raw PCM has no clear message: what left plays on, heard whole (160 ms); the held 20 ms never
  // left. The recording has what the far end played, nothing of what never left.
  const c = await heldCall(180, { serializer: new RawPcmSerializer() });
  await c.transport.interrupt();
  c.transport.send(speech(40, 2, "r2"));
  await c.clock.tick(1000);
  const { outbound } = c.metrics.snapshot();
  assert.equal(outbound.bytesInterrupted, 20 * BYTES_PER_MS);
  assert.equal(outbound.audioMs, c.transport.stats.audioBytesSent / BYTES_PER_MS);
  assert.equal(outbound.audioMs, 200); // 160 before the interruption, a whole packet after
  assert.equal(c.farEnd.playedMs(SPEECH), 160);
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.equal(await c.recordedMs(SPEECH), 160);
  assert.equal(await c.recordedMs(2), 40);
});
