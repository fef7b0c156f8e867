// The official pipecat JS client (`@pipecat-ai/client-js` + `@pipecat-ai/websocket-transport`
// from npm, unmodified) against a Deno server speaking `ProtobufSerializer` through
// `WebSocketTransport`. The client runs in Deno itself: Deno has a WebSocket client, and the one
// browser-only piece, the media manager (microphone and speaker), is replaced by a stand-in that
// feeds a synthetic 16 kHz tone as the microphone and records what it is given to play.
import assert from "node:assert/strict";
import type { AudioFrame } from "../../src/frames.ts";
import { analyze, tone } from "../serializers/fixtures/telephony_harness.ts";
import { withPipecatClient } from "./_pipecat_session.ts";

Deno.test("the pipecat JS client connects, streams 16 kHz mic audio and plays our 24 kHz audio", async () => {
  const inbound: AudioFrame[] = [];
  const messages: unknown[] = [];
  let spoke = false;
  await withPipecatClient(async (frame, writer) => {
    if (frame.type === "message") messages.push(frame.message);
    if (frame.type !== "audio") return;
    inbound.push(frame);
    if (!spoke && inbound.length >= 5) {
      spoke = true;
      // 300 ms of a 1 kHz tone at 24 kHz, in 20 ms frames.
      const speech = tone(1000, 24000, 7200, 0.5);
      for (let at = 0; at < speech.length; at += 480) {
        const chunk = speech.slice(at, at + 480);
        await writer.write({
          type: "audio",
          audio: new Uint8Array(chunk.buffer),
          sampleRate: 24000,
          channels: 1,
        });
      }
    }
  }, async (_client, media) => {
    await media.playedAtLeast(7200, 5000);
    // The microphone arrived as 16 kHz mono audio frames carrying the tone.
    assert.ok(inbound.length >= 5);
    assert.ok(inbound.every((f) => f.sampleRate === 16000 && f.channels === 1));
    const mic = new Int16Array(inbound.reduce((n, f) => n + f.audio.length / 2, 0));
    let at = 0;
    for (const f of inbound) {
      mic.set(new Int16Array(f.audio.slice().buffer), at);
      at += f.audio.length / 2;
    }
    assert.ok(Math.abs(analyze(mic, 16000).frequency - 440) < 2);
    // What the client was given to play is our 24 kHz tone, sample for sample in frequency and level.
    const played = new Int16Array(media.played.reduce((n, s) => n + s.length, 0));
    at = 0;
    for (const s of media.played) {
      played.set(s, at);
      at += s.length;
    }
    const heard = analyze(played, 24000);
    assert.ok(Math.abs(heard.frequency - 1000) < 2, `played ${heard.frequency} Hz`);
    assert.ok(Math.abs(heard.dbfs - analyze(tone(1000, 24000, 7200, 0.5), 24000).dbfs) < 0.1);
    assert.deepEqual(messages, []); // client-ready was answered, nothing else was sent
  });
});
