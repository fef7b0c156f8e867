// Issue 10's proof, provider by provider: a real WebSocketTransport with each provider's
// serializer against that provider's simulated far end (src/simulator/far_ends/, written from the
// provider's documentation), which plays in real time behind a jitter buffer and acknowledges
// marks as the provider documents (Twilio, Telnyx and Exotel `mark`, Plivo `checkpoint` →
// `playedStream`, Vonage `notify`). What the far end recorded is the truth the transport's own
// figures must match.
import assert from "node:assert/strict";
import { PLAYOUT_MARK_PREFIX } from "../../src/playback.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { ProtobufSerializer } from "../../src/serializers/protobuf.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { Heard, type ProviderCase, speech, startCall } from "./_provider_call.ts";
import { HOSTED_MARKING_PROVIDERS } from "./_marking_providers.ts";

const PROVIDERS: ProviderCase[] = [
  ...HOSTED_MARKING_PROVIDERS,
  {
    // SignalWire's <Stream codec="L16@24000h">: Twilio's protocol, wideband, marks as Twilio's.
    protocol: "signalwire",
    serializer: () => new TwilioSerializer(),
    rate: 24000,
    chunkMs: 20,
    platform: { sampleRate: 24000 },
  },
];

/** The one mark interval the figures may be off by. */
const MARK_INTERVAL_MS = 250;

for (const provider of PROVIDERS) {
  const { protocol, rate, chunkMs } = provider;

  Deno.test(`${protocol}: \`interrupt\` reports what the far end played, to one mark interval; stale audio never leaves`, async () => {
    for (const jitterMs of [60, 200, 450]) {
      const call = startCall(provider, { jitterMs, returnMs: 20 }, { hangUpAtMs: 6000 });
      await call.clock.tick(100);
      call.transport.send(speech(4000, rate, "r1"));
      await call.clock.tick(1600);
      const at = call.clock.now();
      const result = await call.transport.interrupt();
      // A TTS stream that has not noticed keeps writing the interrupted response.
      call.transport.send(speech(2000, rate, "r1"));
      await call.clock.tick(7000);
      const report = await call.report;
      const heard = new Heard(report);
      const truth = heard.msBefore(at);
      const label = `${protocol}, jitter ${jitterMs}`;
      assert.equal(result.responseId, "r1");
      assert.equal(result.acknowledged, true, `${label}: acknowledged`);
      assert.ok(
        Math.abs(result.heardMs - truth) <= MARK_INTERVAL_MS,
        `${label}: heard ${result.heardMs} ms, the far end played ${truth} ms`,
      );
      assert.ok(result.heardMs <= truth + chunkMs, `${label}: never more than was heard`);
      assert.ok(truth > 1000 && truth < 1600, `${label}: the far end played ${truth} ms`);
      // The far end stopped when the clear reached it, and nothing of r1 came after.
      assert.ok(
        heard.msBefore(Infinity) <= truth + jitterMs + chunkMs,
        `${label}: ${heard.msBefore(Infinity)} ms heard in all`,
      );
      assert.equal(call.transport.stats.audioBytesStale, 2000 * rate / 500);
      assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
    }
  });

  Deno.test(`${protocol}: speakingstop fires at the far end's acknowledgement; only the bot's own marks reach it`, async () => {
    const call = startCall(provider, { jitterMs: 300, returnMs: 20 }, { hangUpAtMs: 5000 });
    await call.clock.tick(100);
    call.transport.send(speech(1000, rate, "r1"));
    call.transport.send({ type: "mark", name: "bot-1" });
    await call.clock.tick(6000);
    const report = await call.report;
    const heard = new Heard(report);
    assert.deepEqual(
      call.inbound.filter((i) => i.frame.type === "mark").map((i) => i.frame),
      [{ type: "mark", name: "bot-1" }],
      "the transport's marks are hidden, the bot's arrive",
    );
    const stats = call.transport.stats;
    assert.ok(stats.marksSent >= 4, `${stats.marksSent} marks`);
    assert.equal(stats.marksAcknowledged, stats.marksSent);
    const acks = call.arrivals.filter((a) => a.text.includes(PLAYOUT_MARK_PREFIX));
    assert.equal(acks.length, stats.marksSent, "every mark the transport sent came back");
    const stop = call.events.find((e) => e.type === "speakingstop");
    assert.ok(stop, "speakingstop");
    assert.equal(stop.event.responseId, "r1");
    assert.equal(stop.event.reason, "played");
    assert.equal(stop.event.acknowledged, true);
    assert.equal(stop.event.heardMs, 1000);
    assert.equal(stop.at, acks.at(-1)!.at, "at the acknowledgement of the last audio");
    assert.ok(
      stop.at >= heard.lastSpeechMs,
      `stopped at ${stop.at}, played until ${heard.lastSpeechMs}`,
    );
    const start = call.events.find((e) => e.type === "speakingstart")!;
    assert.ok(start.at < stop.at);
    assert.equal(heard.msBefore(Infinity), 1000, "the whole response played");
    assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  });

  Deno.test(`${protocol}: an \`end\` hangs up only once the far end acknowledged the last audio`, async () => {
    const call = startCall(provider, { jitterMs: 400, returnMs: 20 }, { waitForBotHangUp: true });
    let closedAt = -1;
    void call.transport.closed.then(() => (closedAt = call.clock.now()));
    await call.clock.tick(100);
    call.transport.send(speech(1000, rate, "bye"));
    call.transport.send({ type: "end" });
    await call.clock.tick(8000);
    const report = await call.report;
    const heard = new Heard(report);
    const lastAck = call.arrivals.filter((a) => a.text.includes(PLAYOUT_MARK_PREFIX)).at(-1);
    assert.ok(lastAck, "acknowledged");
    assert.ok(
      lastAck.at >= heard.lastSpeechMs,
      `acked at ${lastAck.at}, played until ${heard.lastSpeechMs}`,
    );
    assert.ok(
      closedAt >= lastAck.at,
      `closed at ${closedAt}, last acknowledgement at ${lastAck.at}`,
    );
    assert.equal(report.ended.by, "bot", report.ended.detail);
    assert.equal(heard.msBefore(Infinity), 1000, "the whole goodbye was heard");
    assert.equal(report.audio.clearedMs, 0);
    assert.deepEqual(call.errors, []);
    assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  });
}

// Twilio documents that marks of cleared audio come back at once ("Media Streams - WebSocket
// Messages", Send a clear message), SignalWire likewise ("Send a clear message"); Vonage's guide answers a clear with `websocket:cleared` and
// says nothing of pending notifies, so our Vonage serializer hands the bot its pending marks then.
// Telnyx, Plivo and Exotel document neither: their simulated far ends drop such marks, and a bot
// there must not wait for a mark it cleared.
for (
  const provider of PROVIDERS.filter((p) => p.protocol === "twilio" || p.protocol === "vonage")
) {
  Deno.test(`${provider.protocol}: a bot's mark cleared by an interruption comes back at once`, async () => {
    const call = startCall(provider, { jitterMs: 200, returnMs: 20 }, { hangUpAtMs: 3000 });
    await call.clock.tick(100);
    call.transport.send(speech(2000, provider.rate, "r1"));
    call.transport.send({ type: "mark", name: "after-r1" });
    await call.clock.tick(500);
    await call.transport.interrupt();
    const clearedAt = call.clock.now();
    await call.clock.tick(4000);
    await call.report;
    const marks = call.inbound.filter((i) => i.frame.type === "mark");
    assert.deepEqual(marks.map((m) => m.frame), [{ type: "mark", name: "after-r1" }]);
    assert.ok(marks[0]!.at <= clearedAt + 200 + 20 + 20, `came back at ${marks[0]!.at}`);
  });
}

// Genesys AudioHook and the pipecat (protobuf + RTVI) client acknowledge no point in the playout:
// AudioHook v2 has no played/mark message (open/opened, ping/pong, pause/resumed, update, dtmf,
// event, close/closed, disconnect, error; the Audio Connector's playback_completed says only where
// a stretch ended, tested in tests/serializers/genesys_playback_reports_test.ts), and RTVI's
// bot-started/stopped-speaking go from the bot to the client, not back. Within a reply the
// transport goes by its estimate there, told the far end's buffer through `playoutDelayMs`.
const ESTIMATED: (ProviderCase & { resolutionMs: number })[] = [
  {
    protocol: "genesys",
    // The simulator plays the bidirectional Audio Connector (see tests/simulator/far_ends_test.ts).
    serializer: () => new GenesysSerializer({ sendAudio: "always" }),
    rate: 8000,
    chunkMs: 20,
    transport: { fixedAudioPacketSize: 1600, padByte: 0xff },
    resolutionMs: 200, // 1,600-byte packets of PCMU: 200 ms each
  },
  {
    protocol: "pipecat",
    serializer: () => new ProtobufSerializer(),
    rate: 24000,
    chunkMs: 20,
    resolutionMs: 20,
  },
];

for (const provider of ESTIMATED) {
  const { protocol, rate, resolutionMs } = provider;

  Deno.test(`${protocol}: no acknowledgement, so \`interrupt\` reports the estimate from the far end's buffer`, async () => {
    for (const jitterMs of [60, 300]) {
      const call = startCall(
        { ...provider, transport: { ...provider.transport, playoutDelayMs: jitterMs } },
        { jitterMs, returnMs: 20 },
        { hangUpAtMs: 5000 },
      );
      await call.clock.tick(100);
      call.transport.send(speech(4000, rate, "r1"));
      await call.clock.tick(1600);
      const at = call.clock.now();
      const result = await call.transport.interrupt();
      await call.clock.tick(6000);
      const report = await call.report;
      const truth = new Heard(report).msBefore(at);
      const label = `${protocol}, jitter ${jitterMs}`;
      assert.equal(result.acknowledged, false);
      assert.ok(truth > 1000 && truth < 1600, `${label}: the far end played ${truth} ms`);
      assert.equal(call.transport.stats.marksSent, 0, "no marks where none are acknowledged");
      assert.ok(
        Math.abs(result.heardMs - truth) <= resolutionMs,
        `${label}: heard ${result.heardMs} ms, the far end played ${truth} ms`,
      );
      assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
    }
  });
}

Deno.test("asterisk f(json) with the default serializer: a greeting written before MEDIA_START waits for it, and is acknowledged", async () => {
  const asterisk: ProviderCase = {
    protocol: "asterisk-json",
    serializer: () => new AsteriskSerializer(),
    rate: 8000,
    chunkMs: 20,
  };
  const call = startCall(asterisk, { jitterMs: 0, returnMs: 150 }, {});
  call.transport.send(speech(20, 8000, "r0")); // at once, as a bot greets
  await call.clock.tick(3000);
  const stop = call.events.find((e) => e.type === "speakingstop");
  void call.transport.close();
  for (let t = 0; t < 20_000; t += 100) await call.clock.tick(100);
  const report = await call.report;
  // Sent before MEDIA_START, the buffering commands went as plain text, which an f(json)
  // channel refuses: two errors, and the mark never answered.
  assert.deepEqual(call.errors.map((e) => e.message), []);
  assert.deepEqual(report.violations, []);
  assert.equal(stop?.event.acknowledged, true);
});

Deno.test("genesys: an `end` written after Genesys' close puts no audio on the wire after our `closed`", async () => {
  const genesys: ProviderCase = {
    protocol: "genesys",
    serializer: () => new GenesysSerializer(),
    rate: 8000,
    chunkMs: 200,
    transport: { fixedAudioPacketSize: 1600, padByte: 0xff },
  };
  const call = startCall(genesys, { jitterMs: 60, returnMs: 0 }, { hangUpAtMs: 1950 });
  await call.clock.tick(100);
  call.transport.send(speech(1620, 8000, "r0"));
  for (let t = 0; t < 1000; t += 10) await call.clock.tick(10);
  call.transport.send(speech(600, 8000, "r1")); // its last 20 ms wait in the packetizer
  for (let t = 0; t < 1000; t += 10) await call.clock.tick(10);
  // Genesys' close came at 2060 and was answered with `closed`; the socket is still open.
  call.transport.send({ type: "end" });
  for (let t = 0; t < 20_000; t += 100) await call.clock.tick(100);
  const report = await call.report;
  assert.deepEqual(report.violations, []); // was: 1600 bytes of audio while closed
  const s = call.transport.stats;
  assert.ok(s.audioBytesDroppedOnClose > 0, "the held packet is counted dropped");
});
