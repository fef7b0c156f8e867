/**
 * With `fixedAudioPacketSize`, the packetizer's partial packet held as the wire's format changes
 * mid-call was encoded in the old format: it must not leave to play in the new one.
 *
 * - Vonage: developer.vonage.com, Voice API, "WebSockets": the `websocket:connected` message's
 *   `content-type` (`audio/l16;rate=8000` or `rate=16000`) names the rate of the binary audio
 *   both ways, 20 ms a message (320 bytes at 8 kHz), played back to back. A change carries what
 *   the old rate held over to the new one (src/serializers/vonage.ts): the packet's bytes with it.
 * - Asterisk: docs.asterisk.org, Channel Drivers → WebSocket: `MEDIA_START` names the channel's
 *   `format` and `optimal_frame_size`; binary frames carry media in that format. Audio held in
 *   the old format is dropped at a new one, counted in `audioBytesRefused`: the packet's too.
 */
import assert from "node:assert/strict";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import {
  ASTERISK_SLIN16,
  asteriskFormatChangeWhileHolding,
  botAudio,
  wholeFrameSession,
} from "./fixtures/whole_frame_calls.ts";

const CONNECTED_8K = JSON.stringify({
  event: "websocket:connected",
  "content-type": "audio/l16;rate=8000",
});

/**
 * The far end of a call given 16 kHz that Vonage opens at 8 kHz: it plays what it is sent at
 * the rate it named, binary bytes arriving before the change at 16 kHz (32 a ms), after it at
 * 8 kHz (16 a ms). Returns the milliseconds of the bot's speech it played: all but the silence
 * ending the last frame (0s; the bot's bytes are 1s, resampled to 257s or near).
 */
async function vonageSpeechPlayedMs(packetSize: number | undefined) {
  const { clock, pair, transport } = wholeFrameSession({
    serializer: () => new VonageSerializer({ sampleRate: 16000 }),
    opening: CONNECTED_8K,
  }, packetSize === undefined ? {} : { fixedAudioPacketSize: packetSize, lastPacket: "short" });
  let at16k = 0;
  const at8k: number[] = [];
  let changed = false;
  pair.client.binaryType = "arraybuffer";
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data === "string") return;
    if (changed) at8k.push(...new Uint8Array(data as ArrayBuffer));
    else at16k += (data as ArrayBuffer).byteLength;
  });
  // 1600 bytes (50 ms) at 16 kHz, in two 25 ms chunks: two 640-byte frames leave, 320 bytes are
  // held; with 1000-byte packets one leaves, 280 bytes wait for the next.
  void transport.send(botAudio(1600, "a"));
  await clock.tick(30);
  pair.client.send(CONNECTED_8K);
  await clock.tick(0);
  changed = true;
  void transport.send(botAudio(1600, "b"));
  await clock.tick(3000);
  const stats = { ...transport.stats };
  await transport.close();
  await clock.tick(60_000);
  let silence = 0;
  while (silence < at8k.length && at8k[at8k.length - 1 - silence] === 0) silence++;
  assert.equal(stats.audioBytesSent, 3200, "all the bot wrote");
  return at16k / 32 + (at8k.length - silence) / 16;
}

Deno.test("VonageSerializer with 1000-byte packets: the partial packet held at a rate change goes at the new rate", async () => {
  // The bot wrote 100 ms: without packets, 1280 bytes left at 16 kHz, 960 at 8 kHz.
  assert.equal(await vonageSpeechPlayedMs(undefined), 100);
  // With them, 1000 bytes at 16 kHz, the rest at 8 kHz, resampled once more (its filter's edge:
  // 0.1875 ms). Before: the packet's 280 bytes at 16 kHz played at 8 kHz, 17.5 ms for 8.75
  // (108.9375 ms).
  const played = await vonageSpeechPlayedMs(1000);
  assert.ok(Math.abs(played - 100) < 1, `${played} ms of speech played`);
});

Deno.test("AsteriskSerializer with 1000-byte packets: the partial packet held at a new format is dropped, counted and off the timeline", async () => {
  const session = wholeFrameSession(ASTERISK_SLIN16, { fixedAudioPacketSize: 1000 });
  const { clock, pair, transport } = session;
  const afterChange: Uint8Array[] = [];
  let changed = false;
  pair.client.binaryType = "arraybuffer";
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (changed && typeof data !== "string") afterChange.push(new Uint8Array(data));
  });
  // 1600 bytes (50 ms) in two 25 ms chunks: two 640-byte frames, 320 bytes held; one 1000-byte
  // packet leaves (31.25 ms), 280 bytes wait for the next. Then the channel goes on in μ-law.
  await asteriskFormatChangeWhileHolding(session);
  changed = true;
  await clock.tick(3000);
  const { sentMs, heardMs } = transport.playback;
  const stats = { ...transport.stats };
  await transport.close();
  await clock.tick(60_000);
  // Before: the 280 bytes of slin16 left at the stretch's end, played as μ-law.
  assert.deepEqual(afterChange, [], "nothing of the old format after the change");
  assert.equal(stats.audioBytesSent, 1000);
  assert.equal(stats.audioBytesRefused, 600, "the frame's 320 bytes and the packet's 280");
  assert.equal(sentMs, 1000 / 32, "sentMs: the 31.25 ms that left");
  assert.equal(heardMs, 1000 / 32, "heardMs: the 31.25 ms that played");
});
