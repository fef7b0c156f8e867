// A Twilio caller at 8 kHz, resampled by the transport to `audioIn` 16 kHz: the samples its inbound
// resampler holds back (its filter's delay, 0.3 ms here) are handed on when the stream ends, at
// Twilio's `stop` or at the socket's close, stamped where the caller's media ends (`timestampMs`).
// The audio before them lies that much earlier on the recording than its stamps (the first frame,
// short by them, ends at its arrival, and each after it follows on), and the recorder laid them
// at their stamp all the same: after a hole as long as they are, its own resampler restarted
// there (at 48 kHz), and past the end of a call that closed as the last packet came (counted in
// `overrunMs`, on every resampled Twilio call recorded so). They follow the audio before them,
// and the first frame is drawn to where its packet's media began (the second's media time says
// how far it fell short).
//
// The far end follows Twilio's "Media Streams - WebSocket Messages"
// (https://www.twilio.com/docs/voice/media-streams/websocket-messages): a "start" naming the
// media format (audio/x-mulaw, 8000 Hz, one channel), then a "media" message of 20 ms every
// 20 ms, its `chunk` counting from 1 and its `timestamp` in ms from the stream's start; a "stop"
// once the call ends.
import assert from "node:assert/strict";
import { CallRecorder, WebSocketTransport } from "../../mod.ts";
import { mulawEncode } from "../../src/audio/g711.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { twilioIds, twilioStart } from "../serializers/fixtures/twilio_call.ts";
import { collect, pcmFrame } from "./_call.ts";
import { parseWav, runs } from "./_wav.ts";

const PACKETS = 50; // one second of the caller
/** 20 ms of the caller's μ-law: a constant, so that the recording is never 0 inside it. */
const PAYLOAD = btoa(String.fromCharCode(...mulawEncode(new Int16Array(160).fill(8000))));

/** The caller speaks for a second; the call ends `endAfterMs` after the last packet. */
async function recordedCaller(rate: number, ending: "stop" | "close", endAfterMs: number) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new TwilioSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const recorder = new CallRecorder({ clock, sampleRate: rate });
  transport.observe(recorder);
  const wav = collect(recorder.readable);
  transport.receive(() => {});
  const send = (message: Record<string, unknown>) =>
    pair.client.send(JSON.stringify({ ...message, streamSid: twilioIds.stream }));
  pair.client.send(twilioStart({
    tracks: ["inbound"],
    mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
  }));
  for (let k = 0; k < PACKETS; k++) {
    await clock.tick(20); // sent as it is spoken
    const media = { track: "inbound", chunk: String(k + 1), timestamp: String(20 * k) };
    send({ event: "media", media: { ...media, payload: PAYLOAD } });
  }
  await clock.tick(endAfterMs);
  if (ending === "stop") {
    send({ event: "stop", stop: { accountSid: twilioIds.account, callSid: twilioIds.call } });
  }
  pair.client.close(1000);
  await transport.closed;
  const [caller] = parseWav(await wav).samples as [Int16Array];
  return { caller, stats: recorder.stats, closedAt: clock.now() };
}

/** Where the caller's audio lies: from its first sample not 0 to its last, and the holes in it. */
function laid(caller: Int16Array) {
  const first = caller.findIndex((sample) => sample !== 0);
  const last = caller.findLastIndex((sample) => sample !== 0);
  const inside = runs(caller.subarray(first, last + 1));
  const holes = inside.filter(({ value }) => value === 0).map(({ start, length }) => ({
    at: first + start,
    length,
  }));
  return { first, length: last + 1 - first, holes };
}

for (const rate of [16000, 48000]) {
  for (const ending of ["stop", "close"] as const) {
    Deno.test(`\`CallRecorder\` at ${rate} Hz lays a resampled Twilio caller's last samples, handed on at the ${ending}, right after the audio before them`, async () => {
      // The call ends a packet's time after the last packet: no part of the caller is past it.
      const { caller, stats } = await recordedCaller(rate, ending, 20);
      const { length, holes } = laid(caller);
      assert.deepEqual(holes, [], "no hole before the last samples");
      // A second of the caller, every sample of it (a resampler's output over a whole stream is
      // exactly as long as its input, its held-back samples included), and no more.
      assert.equal(length, rate);
      assert.deepEqual([stats.overrunMs, stats.lateMs], [0, 0]);
    });
  }
}

for (const rate of [8000, 16000, 48000]) {
  Deno.test(`\`CallRecorder\` at ${rate} Hz records all of a resampled Twilio caller in a call that closes as the last packet comes, where it was spoken`, async () => {
    const { caller, stats, closedAt } = await recordedCaller(rate, "close", 0);
    assert.equal(closedAt, 20 * PACKETS);
    const { first, length, holes } = laid(caller);
    assert.deepEqual(holes, []);
    // From media time 0, spoken 20 ms before the first packet came (at the start of the call), to
    // the end of the call, when the last packet came: none of it past the end.
    assert.deepEqual([first, length], [0, rate]);
    assert.deepEqual([stats.overrunMs, stats.lateMs], [0, 0]);
  });
}

Deno.test("`CallRecorder` lays the samples a resampler held back right after the audio before them, behind a jittered media time", async () => {
  // Media times of wall-clock ms (Plivo's) jitter: the last packet is stamped 2 ms early. The
  // samples handed on at the stream's end are stamped where its media ends (2 ms before the end
  // of the audio laid end to end): taken for a frame out of order, they were written over the last
  // packet's audio, counted overrun, and left its place after it empty.
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  const wav = collect(recorder.readable);
  const frame = (timestampMs: number, samples: number, value: number) => ({
    ...pcmFrame(new Int16Array(samples).fill(value), 16000),
    timestampMs,
  });
  for (const [k, timestampMs] of [0, 20, 38].entries()) {
    await clock.tick(20);
    recorder.inboundAudio(frame(timestampMs, 320, 1000), 20 * (k + 1));
  }
  recorder.inboundAudio(frame(58, 5, 500), 60); // the held-back samples, 0.3 ms
  await clock.tick(20);
  recorder.stop();
  const [caller] = parseWav(await wav).samples as [Int16Array];
  assert.deepEqual(runs(caller), [
    { value: 1000, start: 0, length: 960 },
    { value: 500, start: 960, length: 5 },
    { value: 0, start: 965, length: 315 },
  ]);
  assert.equal(recorder.stats.overrunMs, 0);
});
