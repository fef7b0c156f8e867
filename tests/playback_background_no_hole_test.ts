// Background audio under the replies, on the serializers that convert the bot's audio to whole
// 20 ms frames (Vonage, Asterisk), the bot's audio at 24 kHz resampled to the wire's 16 kHz. What
// the serializer holds at a reply's end (the resampler's filter delay, a partial frame) is the
// background's once the background follows, and the background's next chunk pushes it out. Two
// ways an end-of-speech mark came inside the background, after the reply's end had been marked:
// - at the quiet time after the reply's end mark, the transport ended the serializer's stretch
//   all the same (`audioEnds`), though no mark followed for the padding to go before;
// - with a mark of the cadence on the reply's last chunk, no end-of-speech mark went as the
//   background's first chunk followed (the end was marked already), and at the quiet time the
//   transport took the reply's end for unmarked (that mark is no end-of-speech one) and sent one.
// Either way the serializer padded what it held then with silence to a whole frame: a hole of up
// to 20 ms in the background after every reply, its resampler begun again from silence (a click).
//
// The far end plays what it is sent in order and answers marks once what was sent before them
// has played, as Vonage (developer.vonage.com, Voice API, WebSockets: `notify`) and Asterisk
// (docs.asterisk.org, Channel Drivers → WebSocket: `MARK_MEDIA`, `STOP_MEDIA_BUFFERING`)
// document (see serializers/fixtures/whole_frame_far_end.ts).
import assert from "node:assert/strict";
import type { AudioFrame, OutboundMixer, TransportOptions } from "../mod.ts";
import type { SpeakingEvent } from "../src/playback.ts";
import { WHOLE_FRAME_CALLS, wholeFrameSession } from "./serializers/fixtures/whole_frame_calls.ts";
import { playingFarEnd } from "./serializers/fixtures/whole_frame_far_end.ts";

/** `ms` of 24 kHz PCM16, every sample `value`. */
function level24k(ms: number, value: number): Uint8Array {
  const bytes = new Uint8Array(ms * 48);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < bytes.length; i += 2) view.setInt16(i, value, true);
  return bytes;
}

/** Background at level 1000 filling every slot (40 ms). */
const background: OutboundMixer = {
  attach() {},
  mix: (chunk) => chunk,
  fill: (): AudioFrame => ({
    type: "audio",
    audio: level24k(40, 1000),
    sampleRate: 24000,
    channels: 1,
  }),
  detach() {},
};

const cases: { name: string; options: TransportOptions; replyMs: number }[] = [
  {
    name: "the quiet time after the reply's end mark",
    options: { audioOut: { sampleRate: 24000 }, markIntervalMs: 250 },
    // Whole frames at the wire's rate: only the resampler's filter delay (two samples) is held at
    // the reply's end.
    replyMs: 620,
  },
  {
    name: "a mark of the cadence on the reply's last chunk",
    // A 25 ms chunk and a mark after every chunk, the reply's last one included.
    options: {
      audioOut: { sampleRate: 24000, chunkMs: 25 },
      markIntervalMs: 25,
      maxMarkIntervalMs: 25,
    },
    replyMs: 600,
  },
];

for (const call of WHOLE_FRAME_CALLS) {
  for (const { name, options, replyMs } of cases) {
    Deno.test(`${call.name}, background under a resampled reply, ${name}: no end-of-speech mark inside the background, no hole in it`, async () => {
      const { clock, pair, transport } = wholeFrameSession(call, { background, ...options });
      const far = playingFarEnd(pair, clock);
      const stops: SpeakingEvent[] = [];
      transport.addEventListener("speakingstop", (e) => stops.push(e as SpeakingEvent));
      // The wire's samples, in order (the far end's 16-bit linear PCM; zero only where padded).
      const samples: number[] = [];
      pair.client.addEventListener("message", (event) => {
        const data = (event as MessageEvent).data;
        if (typeof data === "string") return;
        const view = new DataView(data as ArrayBuffer);
        for (let i = 0; i + 1 < view.byteLength; i += 2) samples.push(view.getInt16(i, true));
      });
      pair.client.send(call.opening);
      await clock.tick(0);
      await clock.tick(300);
      const from = samples.length;
      void transport.send({
        type: "audio",
        audio: level24k(replyMs, 3000),
        sampleRate: 24000,
        channels: 1,
        responseId: "r1",
      });
      for (let t = 0; t < 2000; t += 10) await clock.tick(10);
      assert.ok(samples.length > from + 16 * 1500, `${samples.length} samples on the wire`);
      // Once the background plays (its start, from silence, rings for a few samples), and after
      // the reply, nothing on the wire is silence.
      const zeros = samples.flatMap((s, i) => i > 200 && s === 0 ? [i] : []);
      const endMarks = far.wire.filter((w) => w.includes(":end:")).join(" ");
      assert.equal(
        zeros.length,
        0,
        `${zeros.length} samples of silence, from ${zeros[0]}; end-of-speech marks: ${endMarks}`,
      );
      // The reply still stopped as the far end said it had played it.
      assert.deepEqual(stops.map((e) => [e.responseId, e.reason, e.acknowledged]), [
        ["r1", "played", true],
      ]);
      await transport.close();
      const s = transport.stats;
      assert.equal(s.marksSent, s.marksAcknowledged + s.marksUnanswered);
    });
  }
}
