// The partial frame a whole-frames serializer (Vonage, Asterisk) holds of the bot's speech was
// told to the observers with its chunk; an interruption's clear, or a cancel, drops it before it
// leaves, as the session's end does. It never left: the observers are told it was dropped
// (`outboundDropped`), so that `voice.outbound.audio` agrees with `stats.audioBytesSent` (which
// moves it off), as for the packetizer's partial packet dropped with it.
import assert from "node:assert/strict";
import { SessionMetrics } from "../../mod.ts";
import { WHOLE_FRAME_CALLS, wholeFrameSession } from "../serializers/fixtures/whole_frame_calls.ts";

/** 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;

/** Each way the held frame is dropped, and how the session then ends. */
const DROPS = {
  "an interruption's clear": async (s: ReturnType<typeof wholeFrameSession>) => {
    await s.transport.interrupt();
    s.pair.client.close(1000);
  },
  "the far end's close": (s: ReturnType<typeof wholeFrameSession>) => {
    s.pair.client.close(1000);
  },
  "a cancel": async (s: ReturnType<typeof wholeFrameSession>) => {
    await s.transport.send({ type: "cancel" });
  },
};

for (const call of WHOLE_FRAME_CALLS) {
  for (const packetBytes of [undefined, 1280]) {
    for (const [how, drop] of Object.entries(DROPS)) {
      const packets = packetBytes === undefined ? "" : ` and ${packetBytes}-byte packets`;
      Deno.test(`${call.name}${packets}: the partial frame ${how} drops is told dropped to the observers`, async () => {
        // 25 ms chunks: a 20 ms frame leaves (or waits in a 40 ms packet), 5 ms are held.
        const s = wholeFrameSession(call, {
          ...(packetBytes !== undefined && { fixedAudioPacketSize: packetBytes }),
        });
        const metrics = SessionMetrics.attach(s.transport, { clock: s.clock, speech: false });
        const dropped: number[] = [];
        s.transport.observe({ outboundDropped: (info) => dropped.push(info.position) });
        s.pair.client.send(call.opening);
        await s.clock.tick(0);
        s.transport.send({
          type: "audio",
          audio: new Uint8Array(25 * BYTES_PER_MS),
          sampleRate: 16000,
          channels: 1,
        });
        await s.clock.tick(10);
        await drop(s);
        await s.clock.tick(1000);
        await s.transport.closed;
        const leftMs = packetBytes === undefined ? 20 : 0;
        assert.equal(s.transport.stats.audioBytesSent, leftMs * BYTES_PER_MS, "what left");
        assert.deepEqual(dropped, [leftMs], "told dropped from where what left ends");
        assert.equal(metrics.snapshot().outbound.audioMs, leftMs);
      });
    }
  }
}
