// Background audio under the replies, on the serializers that convert the bot's audio to whole
// 20 ms frames (Vonage, Asterisk), the bot's audio at 24 kHz (the default) resampled to the wire's
// 16 kHz. The transport marks a reply's end as the background's first chunk follows it; at the
// quiet time after it, it ended the serializer's stretch all the same (`audioEnds`): what the
// serializer held then (the resampler's filter delay, and the partial frame it left, both the
// background's by then) went padded with silence to a whole frame, mid-background: a hole of
// nearly 20 ms in the background after every reply, and the resampler began again from silence
// (a click where the background came back). No mark followed for that padding to go before.
//
// The far end plays what it is sent in order and answers marks once what was sent before them
// has played, as Vonage (developer.vonage.com, Voice API, WebSockets: `notify`) and Asterisk
// (docs.asterisk.org, Channel Drivers → WebSocket: `MARK_MEDIA`) document (see
// serializers/fixtures/whole_frame_far_end.ts).
import assert from "node:assert/strict";
import type { AudioFrame, OutboundMixer } from "../mod.ts";
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

/** Background at level 1000 filling every slot (40 ms, the transport's chunk). */
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

for (const call of WHOLE_FRAME_CALLS) {
  Deno.test(`${call.name}, background under a resampled reply: the quiet time after the reply's end mark leaves no hole in the background`, async () => {
    const { clock, pair, transport } = wholeFrameSession(call, {
      background,
      audioOut: { sampleRate: 24000 },
      markIntervalMs: 250,
    });
    playingFarEnd(pair, clock);
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
    // 620 ms: whole frames at the wire's rate, so that only the resampler's filter delay (two
    // samples) is left held at the reply's end, which the background's next chunk pushes out.
    const reply = level24k(620, 3000);
    void transport.send({
      type: "audio",
      audio: reply,
      sampleRate: 24000,
      channels: 1,
      responseId: "r1",
    });
    for (let t = 0; t < 2000; t += 10) await clock.tick(10);
    assert.ok(samples.length > from + 16 * 1500, `${samples.length} samples on the wire`);
    // Once the background plays (its start, from silence, rings for a few samples), and after
    // the reply, nothing on the wire is silence.
    const zeros = samples.flatMap((s, i) => i > 200 && s === 0 ? [i] : []);
    assert.equal(zeros.length, 0, `${zeros.length} samples of silence, from ${zeros[0]}`);
    // The reply still stopped as the far end said it had played it.
    assert.deepEqual(stops.map((e) => [e.responseId, e.reason, e.acknowledged]), [
      ["r1", "played", true],
    ]);
    await transport.close();
    const s = transport.stats;
    assert.equal(s.marksSent, s.marksAcknowledged + s.marksUnanswered);
  });
}
