// With `lastPacket: "drop"` a reply shorter than one packet (`fixedAudioPacketSize`) never leaves:
// its partial packet is all of it. The caller hears nothing of it, so a bot's turn-taking must not
// hear of it either: no `speakingstart` (nor a `speakingstop`), `sentMs` 0 (sent to the socket:
// none was), its audio counted dropped in `stats` and told to observers (`outboundDropped`), and
// nothing else it would move: the next reply is paced and told as though it had never been
// written, `interrupt()` answers it unheard, and an `end` after it waits for no playout of it.
// Two far ends: raw PCM played as it arrives (no acknowledgements; tests/_fake_far_end.ts), and
// the same wire with marks acknowledged once what came before them has played; then Vonage, a
// provider that takes fixed-size binary frames and answers marks (its simulated far end,
// src/simulator/far_ends/, from Vonage's WebSocket documentation). Twilio is no case of it: its
// media are JSON text, which `fixedAudioPacketSize` leaves whole.
import assert from "node:assert/strict";
import { type FrameSerializer, type OutboundDroppedInfo, RawPcmSerializer } from "../../mod.ts";
import type { SpeakingEvent } from "../../src/playback.ts";
import { MarkingSerializer } from "../_fake_far_end.ts";
import { packetCall } from "../_packet_call.ts";
import { answer } from "../_caller_fixtures.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { speech, startCall } from "./_provider_call.ts";

const BYTES_PER_MS = 32; // PCM16, 16 kHz mono
const PACKET_MS = 100;

/** A session in 100 ms packets, the partial last one dropped, on a far end that plays it. */
function session(marks: boolean) {
  const serializer: FrameSerializer = marks ? new MarkingSerializer() : new RawPcmSerializer();
  const { clock, pair, farEnd, transport } = packetCall({
    serializer,
    packetBytes: PACKET_MS * BYTES_PER_MS,
    lastPacket: "drop",
    acks: marks,
  });
  const events: string[] = [];
  for (const type of ["speakingstart", "speakingstop"] as const) {
    transport.addEventListener(type, (e: SpeakingEvent) => {
      events.push(`${type} ${e.responseId} at ${clock.now()} heard ${e.heardMs} sent ${e.sentMs}`);
    });
  }
  const dropped: OutboundDroppedInfo[] = [];
  transport.observe({ outboundDropped: (info) => void dropped.push({ ...info }) });
  let closedAt = NaN;
  void transport.closed.then(() => (closedAt = clock.now()));
  return { clock, pair, farEnd, transport, events, dropped, closedAt: () => closedAt };
}

for (const marks of [false, true]) {
  const name = marks ? "marks acknowledged" : "raw PCM";

  Deno.test(`a reply shorter than a packet, dropped (${name}): never speaking, nothing sent, the drop counted and told`, async () => {
    const s = session(marks);
    await s.clock.tick(1);
    s.transport.send(answer(60, "r1"));
    await s.clock.tick(1000);
    assert.deepEqual(s.farEnd.played, [], "the caller heard nothing");
    assert.deepEqual(s.events, [], "no speakingstart for audio never heard, nor a stop");
    assert.deepEqual(s.transport.playback, {
      speaking: false,
      responseId: undefined, // the last response that played: none has
      heardMs: 0,
      sentMs: 0,
      queuedMs: 0,
      acknowledged: false,
    });
    assert.equal(s.transport.stats.audioBytesDroppedOnClose, 60 * BYTES_PER_MS);
    assert.equal(s.transport.stats.audioBytesSent, 0);
    assert.deepEqual(s.dropped.map((d) => d.position), [0], "observers take back all of it");
    assert.deepEqual(s.farEnd.texts, [], "no mark for audio that never left");
    await s.transport.close();
  });

  Deno.test(`a reply shorter than a packet, dropped (${name}): interrupt() answers it unheard`, async () => {
    const waiting = session(marks);
    await waiting.clock.tick(1);
    waiting.transport.send(answer(60, "r1"));
    await waiting.clock.tick(30); // its chunks paced, its packet not whole
    const cut = await waiting.transport.interrupt();
    assert.deepEqual(cut, { responseId: "r1", heardMs: 0, droppedMs: 60, acknowledged: false });
    await waiting.clock.tick(1000);
    assert.deepEqual(waiting.events, []);
    assert.deepEqual(waiting.farEnd.played, []);
    await waiting.transport.close();

    const after = session(marks);
    await after.clock.tick(1);
    after.transport.send(answer(60, "r1"));
    await after.clock.tick(1000); // dropped by now
    const late = await after.transport.interrupt();
    assert.deepEqual(late, {
      responseId: undefined,
      heardMs: 0,
      droppedMs: 0,
      acknowledged: false,
    });
    assert.deepEqual(after.events, []);
    await after.transport.close();
  });

  Deno.test(`a reply shorter than a packet, dropped (${name}): the next reply is paced and heard as without it`, async () => {
    const run = async (withDropped: boolean) => {
      const s = session(marks);
      await s.clock.tick(1);
      s.transport.send(answer(250, "r0")); // 200 ms leave, 50 ms dropped
      await s.clock.tick(600);
      if (withDropped) s.transport.send(answer(60, "r1"));
      await s.clock.tick(400);
      s.transport.send(answer(250, "r2"));
      const heard: number[] = [];
      for (let i = 0; i < 8; i++) {
        await s.clock.tick(50);
        heard.push(s.transport.playback.heardMs);
      }
      const played = s.farEnd.played.map((span) => `${span.ms}@${span.at}`);
      const { events, dropped } = s;
      const stats = s.transport.stats.audioBytesDroppedOnClose;
      await s.transport.close();
      return { events, heard, played, dropped: dropped.length, stats };
    };
    const without = await run(false);
    const withDropped = await run(true);
    assert.deepEqual(withDropped.events, without.events);
    assert.deepEqual(withDropped.heard, without.heard);
    assert.deepEqual(withDropped.played, without.played);
    assert.equal(withDropped.dropped, without.dropped + 1);
    assert.equal(withDropped.stats, without.stats + 60 * BYTES_PER_MS);
  });

  Deno.test(`a reply shorter than a packet, dropped (${name}): an \`end\` right after it waits for no playout of it`, async () => {
    const s = session(marks);
    await s.clock.tick(1);
    s.transport.send(answer(60, "r1"));
    void s.transport.send({ type: "end" });
    await s.clock.tick(1000);
    // Its three chunks are paced first (the last a lead before its slot, at 21); had they left,
    // the end would have waited for them to play, until 61.
    assert.equal(s.closedAt(), 21);
    assert.deepEqual(s.farEnd.played, []);
    assert.deepEqual(s.events, []);
    assert.equal(s.transport.stats.audioBytesDroppedOnClose, 60 * BYTES_PER_MS);
  });
}

Deno.test("Vonage, 100 ms frames dropped at a reply's end: a 60 ms reply is never spoken, and an `end` after it goes at once", async () => {
  const call = startCall(
    {
      protocol: "vonage",
      serializer: () => new VonageSerializer(),
      rate: 16000,
      chunkMs: 20,
      transport: { fixedAudioPacketSize: PACKET_MS * BYTES_PER_MS, lastPacket: "drop" },
    },
    { jitterMs: 60, returnMs: 20 },
    { hangUpAtMs: 6000 },
  );
  await call.clock.tick(100);
  call.transport.send(speech(60, 16000, "r1"));
  await call.clock.tick(1000);
  assert.equal(call.transport.playback.sentMs, 0);
  assert.equal(call.transport.stats.audioBytesDroppedOnClose, 60 * BYTES_PER_MS);
  call.transport.send(speech(60, 16000, "r2"));
  void call.transport.send({ type: "end" });
  const endAt = call.clock.now();
  let closedAt = NaN;
  void call.transport.closed.then(() => (closedAt = call.clock.now()));
  while (Number.isNaN(closedAt) && call.clock.now() < endAt + 5000) await call.clock.tick(10);
  assert.ok(closedAt - endAt <= 20, `closed ${closedAt - endAt} ms after the end`);
  assert.deepEqual(call.events, []);
  // 3200-byte packets are five 16 kHz frames a message, which Vonage refuses: told, once (no
  // packet of them leaves here, so the far end breaks no rule).
  assert.deepEqual(call.errors.map((e) => e.code), ["encode"]);
  assert.match(call.errors[0]!.message, /fixedAudioPacketSize 3200/);
  await call.clock.tick(70_000);
  const report = await call.report;
  assert.deepEqual(report.violations, []);
  assert.equal(report.audio.underruns, 0);
});
