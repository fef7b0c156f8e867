// A call's first response, before any acknowledgement has measured the far end's delay
// (`playoutDelayMs` left at 0): the estimate is the pacing alone, and the first mark of the
// cadence stands 250 ms into the response. The session's first mark therefore goes right after
// its first chunk (outside the cadence: one mark more per call), so that what was heard is bounded
// near 0 until the far end reaches it, and its answer teaches the delay as early as it can come.
// Each provider's serializer against its simulated far end (src/simulator/far_ends/), whose
// recording of what the caller heard is the truth.
import assert from "node:assert/strict";
import { BackgroundAudio } from "../../src/mixing/background_audio.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import { Heard, type ProviderCase, speech, startCall } from "./_provider_call.ts";
import { HOSTED_MARKING_PROVIDERS, TWILIO } from "./_marking_providers.ts";

const JAMBONZ: ProviderCase = {
  protocol: "jambonz",
  serializer: () => new JambonzSerializer(),
  rate: 8000,
  chunkMs: 20,
};
const FREESWITCH: ProviderCase = {
  protocol: "freeswitch",
  serializer: () => new FreeSwitchSerializer(),
  rate: 8000,
  chunkMs: 20,
};

const PROVIDERS: ProviderCase[] = [
  ...HOSTED_MARKING_PROVIDERS,
  JAMBONZ,
  FREESWITCH,
  {
    protocol: "asterisk-json",
    serializer: () => new AsteriskSerializer(),
    rate: 8000,
    chunkMs: 20,
  },
];

for (const provider of PROVIDERS) {
  const { protocol, rate, chunkMs } = provider;

  Deno.test(`${protocol}: a first response interrupted before its first acknowledgement is not counted heard ahead of the far end`, async () => {
    // 450 ms behind: at the interruption, 350 ms after the send, the caller has heard nothing.
    const call = startCall(provider, { jitterMs: 450, returnMs: 20 }, { hangUpAtMs: 5000 });
    await call.clock.tick(100);
    call.transport.send(speech(3000, rate, "r1"));
    await call.clock.tick(350);
    const at = call.clock.now();
    const result = await call.transport.interrupt();
    await call.clock.tick(6000);
    const truth = new Heard(await call.report).msBefore(at);
    assert.equal(result.responseId, "r1");
    assert.equal(result.acknowledged, false);
    assert.ok(
      result.heardMs <= truth + chunkMs,
      `heardMs ${result.heardMs}, the caller heard ${truth}`,
    );
    // speakingstart goes by the estimate, as before: a caller talking over the greeting from its
    // first moment is a barge-in (BargeInStream reads `playback.speaking`).
    const start = call.events.find((e) => e.type === "speakingstart");
    assert.equal(start?.at, 100);
  });

  Deno.test(`${protocol}: the far end's delay is learned from the answer to the first chunk's mark`, async () => {
    // Interrupted 150 ms after the caller began to hear it: past the answer to the mark after the
    // first chunk, before the answer to one 250 ms in would come.
    const jitterMs = 450;
    const call = startCall(provider, { jitterMs, returnMs: 20 }, { hangUpAtMs: 5000 });
    await call.clock.tick(100);
    call.transport.send(speech(3000, rate, "r1"));
    await call.clock.tick(jitterMs + chunkMs + 150);
    const at = call.clock.now();
    const result = await call.transport.interrupt();
    await call.clock.tick(6000);
    const truth = new Heard(await call.report).msBefore(at);
    assert.equal(result.acknowledged, true, "an acknowledgement measured the delay");
    assert.ok(
      result.heardMs <= truth + chunkMs && result.heardMs >= truth - chunkMs - 20,
      `heardMs ${result.heardMs}, the caller heard ${truth}`,
    );
  });
}

/** Sends `ms` of speech in real time, one 20 ms chunk at a time, as a live relay does. */
async function relay(
  call: ReturnType<typeof startCall>,
  ms: number,
  rate: number,
): Promise<void> {
  for (let t = 0; t < ms; t += 20) {
    call.transport.send(speech(20, rate, "live"));
    await call.clock.tick(20);
  }
}

for (const provider of [JAMBONZ, FREESWITCH, TWILIO]) {
  Deno.test(`${provider.protocol}: a source writing in real time does not have the first mark answered before its audio plays`, async () => {
    // mod_audio_fork answers a mark no audio has followed yet at once while its playout buffer
    // is empty, as it is until 160 ms have gathered in its pre-buffer: a mark sent as soon as the
    // first chunk left would be answered 20 ms later and teach a delay of the round trip. Sent
    // with the second chunk right behind it, it is answered when the first chunk has played.
    const jitterMs = 100;
    const call = startCall(provider, { jitterMs, returnMs: 20 }, { hangUpAtMs: 5000 });
    await call.clock.tick(105); // between the module's 20 ms frames
    // The caller hears it from 360 (100 ms on the way, 140 gathering in the pre-buffer, the
    // frame): the mark after the first chunk is answered at 400, at 240 if sent on its own.
    await relay(call, 320, provider.rate);
    const at = call.clock.now();
    const result = await call.transport.interrupt();
    await call.clock.tick(6000);
    const report = await call.report;
    const truth = new Heard(report).msBefore(at);
    assert.equal(result.acknowledged, true, "the first mark was answered");
    assert.ok(
      result.heardMs <= truth + 20,
      `heardMs ${result.heardMs}, the caller heard ${truth} (the delay taught too small)`,
    );
    assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  });
}

/** The positions (ms of audio) of the transport's own marks, as a far end received them. */
function markPositions(farEnd: FakeFarEnd): number[] {
  return farEnd.texts.filter((t) => t.text.startsWith("mark:__wst:")).map((t) =>
    t.bytesBefore / 32
  );
}

/** A far end 200 ms behind, answering marks as the audio before them plays (Twilio's way). */
function markingCall(options: { background?: BackgroundAudio } = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
    ...options,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 200, bytesPerMs: 32 });
  return { clock, pair, transport, farEnd };
}

Deno.test("one mark more per call, not per response: the marks after it stand where they did", async () => {
  const { clock, pair, transport, farEnd } = markingCall();
  transport.receive(() => {});
  await clock.tick(0);
  const fill = (ms: number, id: string) => ({ ...speech(ms, 16000, id), responseId: id });
  transport.send(fill(1200, "r1"));
  await clock.tick(3000);
  transport.send(fill(1200, "r2"));
  await clock.tick(3000);
  transport.send(fill(700, "r3"));
  await clock.tick(3000);
  // Without the first mark, as before: 260, 520, 1020 and r1's end at 1200, then (the far end
  // steady, the gap 1000 ms) r2's 2200 and end at 2400 (its start is r1's end, marked already),
  // and r3's end at 3100. The first mark adds one, and moves none of these.
  assert.deepEqual(markPositions(farEnd), [20, 260, 520, 1020, 1200, 2200, 2400, 3100]);
  assert.equal(transport.stats.marksAcknowledged, transport.stats.marksSent);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("a call with background audio before its first speech gets no mark more", async () => {
  // The cadence marks the first chunk of speech already when the background before it is longer
  // than markIntervalMs: it counts toward the interval, so a mark goes once that chunk has left.
  const { clock, pair, transport, farEnd } = markingCall({
    background: new BackgroundAudio(new Int16Array(1600).fill(300), { sampleRate: 16000 }),
  });
  transport.receive(() => {});
  await clock.tick(1000);
  transport.send(speech(600, 16000, "r1"));
  await clock.tick(2000);
  // Speech from 1040 (after the background sent ahead), marked once its first chunk has left,
  // and its end (1640) before the background after it leaves.
  assert.deepEqual(markPositions(farEnd), [1060, 1320, 1640]);
  pair.client.close(1000);
  await transport.closed;
});
