// One short media packet just before a lost packet makes the reorder stage hold
// the caller's audio for up to 256 packets (5 s) instead of at most 60 ms of media.
//
// README.md ("Telephony and pipecat clients"): "media in order passes at once, a packet after a
// hole waits at most 60 ms of media for it, a lost packet becomes silence of exactly its length
// ... an absurd number ... costs only itself, never the packets after it."
import { globexAudio } from "./_ordered_media_stage.ts";
import assert from "node:assert/strict";
import { type AudioFrame, type Frame, WebSocketTransport } from "@x/ws-transport";
import { FakeClock, MemorySocketPair } from "@x/ws-transport/testing";
import type { FrameSerializer } from "../../../src/serializer.ts";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";
import { TelnyxSerializer } from "../../../src/serializers/telnyx.ts";
import { PlivoSerializer } from "../../../src/serializers/plivo.ts";
import { ExotelSerializer } from "../../../src/serializers/exotel.ts";
import { MediaReorder } from "../../../src/serializers/telephony/media_reorder.ts";
import { OrderedMedia } from "../../../src/serializers/telephony/mod.ts";

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const MULAW_20MS = b64(new Uint8Array(160).fill(0xff));
const PCM16_20MS = b64(new Uint8Array(320));

/**
 * Per provider: a serializer and its documented media message, chunk `chunk`, payload given. The
 * stream ids are given, as for a start consumed elsewhere: media before a start is refused.
 */
const providers: [string, () => FrameSerializer, (chunk: number, payload?: string) => string][] = [
  [
    "Twilio",
    () => new TwilioSerializer({ streamSid: "MZ1" }),
    (chunk, payload = MULAW_20MS) =>
      JSON.stringify({
        event: "media",
        sequenceNumber: String(chunk + 1),
        streamSid: "MZ1",
        media: { track: "inbound", chunk: String(chunk), timestamp: String(chunk * 20), payload },
      }),
  ],
  ["Telnyx", () => new TelnyxSerializer(), (chunk, payload = MULAW_20MS) =>
    JSON.stringify({
      event: "media",
      sequence_number: String(chunk + 1),
      media: { track: "inbound", chunk: String(chunk), timestamp: String(chunk * 20), payload },
    })],
  [
    "Plivo",
    () => new PlivoSerializer({ streamId: "s1" }),
    (chunk, payload = MULAW_20MS) =>
      JSON.stringify({
        event: "media",
        sequenceNumber: chunk + 1,
        streamId: "s1",
        media: { track: "inbound", timestamp: String(1705312200000 + chunk * 20), chunk, payload },
      }),
  ],
  [
    "Exotel",
    () => new ExotelSerializer({ streamSid: "MZ1" }),
    (chunk, payload = PCM16_20MS) =>
      JSON.stringify({
        event: "media",
        sequence_number: String(chunk + 1),
        stream_sid: "MZ1",
        media: { chunk: String(chunk), timestamp: String(chunk * 20), payload },
      }),
  ],
];

for (const [name, make, media] of providers) {
  Deno.test(`\`${name}Serializer\` a short media packet before a lost one does not hold the audio after the hole beyond 60 ms`, async () => {
    const clock = new FakeClock();
    const { server, client } = new MemorySocketPair();
    const transport = new WebSocketTransport(server, {
      serializer: make(),
      clock,
      audioIn: { sampleRate: 8000 },
      ...(name === "Exotel" ? { audioOut: { sampleRate: 8000, chunkMs: 200 } } : {}),
    });
    const frames: Frame[] = [];
    transport.receive((frame) => frames.push(frame));
    client.send(media(1)); // 20 ms, in order
    client.send(media(2, "AAA=")); // 2 bytes: a single sample of μ-law / PCM16
    // Chunk 3 is lost. Chunks 4..13: 200 ms of media past the hole, over three times the window.
    for (let chunk = 4; chunk <= 13; chunk++) client.send(media(chunk));
    await server.waitFor(() => transport.stats.messagesIn === 12);
    await clock.tick(0);
    const audio = frames.filter((f): f is AudioFrame => f.type === "audio");
    assert.equal(transport.stats.decodeErrors, 0);
    // Packets 1 and 2, the filled gap, then at least packets 4..10 (all but the last 60 ms).
    assert.ok(
      audio.length >= 2 + 1 + 7,
      `${audio.length} audio frames: the caller's audio after the hole is held ` +
        `(gaps filled ${transport.stats.inboundMediaGapsFilled})`,
    );
    assert.equal(transport.stats.inboundMediaGapsFilled, 1);
    assert.equal(transport.stats.inboundMediaGapMs, 20, "the lost packet's own 20 ms of silence");
    await transport.close();
  });
}

Deno.test("`MediaReorder` measures a hole by the typical packet, not by a short one before it", () => {
  const reorder = new MediaReorder<string>();
  const out: string[] = [];
  const output = {
    packet: (packet: { payload: string }) => out.push(packet.payload),
    gap: (gap: { durationMs: number }) => out.push(`silence ${gap.durationMs} ms`),
  };
  reorder.push({ sequence: 1, durationMs: 20, payload: "#1" }, output);
  reorder.push({ sequence: 2, durationMs: 0.125, payload: "#2" }, output);
  // 3 is lost; 4, 5 and 6 are 60 ms past it: still waited for. 7 gives the hole up.
  for (const sequence of [4, 5, 6]) {
    reorder.push({ sequence, durationMs: 20, payload: `#${sequence}` }, output);
  }
  assert.deepEqual(out, ["#1", "#2"]);
  assert.equal(reorder.pending, 3);
  reorder.push({ sequence: 7, durationMs: 20, payload: "#7" }, output);
  assert.deepEqual(out, ["#1", "#2", "silence 20 ms", "#4", "#5", "#6", "#7"]);
  assert.equal(reorder.counts.inboundMediaGapMs, 20);
});

Deno.test("`MediaReorder` by timestamp counts a gap's packets by the typical packet", () => {
  const reorder = new MediaReorder<string>({ orderBy: "timestamp" });
  const gaps: { durationMs: number; packets: number }[] = [];
  const output = {
    packet: () => {},
    gap: (gap: { durationMs: number; packets: number }) => gaps.push(gap),
  };
  reorder.push({ timestampMs: 0, durationMs: 20, payload: "a" }, output);
  reorder.push({ timestampMs: 20, durationMs: 0.125, payload: "b" }, output);
  // 20.125 to 40 is lost (one packet's worth, the rest of the 20 ms slot).
  for (let t = 40; t <= 140; t += 20) {
    reorder.push({ timestampMs: t, durationMs: 20, payload: "c" }, output);
  }
  assert.equal(gaps.length, 1);
  assert.equal(gaps[0]!.packets, 1);
});

Deno.test("`OrderedMedia` fills a gap in a run of tiny packets with a few frames, not one per tiny packet", () => {
  const audio = globexAudio();
  const ordered = new OrderedMedia({ audio, provider: "Globex" });
  const counts: Record<string, number> = {};
  ordered.bind({
    send() {},
    report() {},
    count(counter, amount = 1) {
      counts[counter] = (counts[counter] ?? 0) + amount;
    },
  });
  const frames: Frame[] = [...ordered.push({ sequence: 1, payload: MULAW_20MS })];
  // Tiny packets are the stream's packets now: 0.25 ms each.
  for (let sequence = 2; sequence <= 9; sequence++) {
    frames.push(...ordered.push({ sequence, payload: btoa("\xff\xff") }));
  }
  // 20,000 of them missing: a 5 s gap, cut into 100 ms frames.
  frames.push(...ordered.push({ sequence: 20010, payload: MULAW_20MS }));
  frames.push(...ordered.push({ sequence: 20011, payload: MULAW_20MS }), ...ordered.flush());
  assert.equal(counts.inboundMediaGapMs, 5000);
  assert.equal(frames.length, 1 + 8 + 50 + 2);
});
