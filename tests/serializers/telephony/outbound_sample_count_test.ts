// How many samples a call's far end gets for the bot's audio, against the arithmetic: the bot's
// samples × wire rate / bot rate, summed over the call. Each reply is resampled as a stream of its
// own, begun with the filter's delay as silence (so its first message is as long as its frame) and
// ended by handing over the samples the filter still holds (where it plays on) or dropping them.
// A fresh delay of silence in front of every reply after a held end that went made the far end's
// stream that delay longer per reply (2 samples at 8 kHz from 16 kHz: a demo call on Twilio got
// 39,522 samples for 39,520), and rounding each reply's length to whole samples half a sample
// per reply of odd length (16 kHz to 8 kHz). The wire carries the bot's audio at the wire rate,
// plus the delay of silence the call's first reply began with, within one sample: never more
// per reply.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../../../mod.ts";
import { TelephonyAudio } from "../../../src/serializers/telephony/telephony_audio.ts";
import { TwilioSerializer } from "../../../src/serializers/twilio.ts";
import { FakeClock, MemorySocketPair } from "../../../src/testing/mod.ts";
import { noise } from "../../audio/_test_signals.ts";
import { twilioStart } from "../fixtures/twilio_call.ts";

/** `samples` at `rate` as an outbound audio frame. */
const frameOf = (samples: Int16Array, sampleRate: number) => ({
  type: "audio" as const,
  audio: new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength),
  sampleRate,
  channels: 1,
});

/** Bot rate → wire rate, and the filter's delay there (what a stream's end holds back). */
const PAIRS: [number, number, number][] = [
  [16000, 8000, 2],
  [24000, 8000, 2],
  [48000, 8000, 2],
  [22050, 8000, 4],
  [24000, 16000, 2],
  [22050, 16000, 36],
];

/**
 * Reply `r` of a call at `rate`: 200–500 ms, most of them not a whole number of 20 ms chunks nor
 * of wire samples.
 */
const replyLength = (rate: number, r: number) => (rate / 50) * (10 + (r % 16)) + ((r * 37) % 50);

Deno.test("`TelephonyAudio` sends over 40 replies the bot's audio at the wire rate and one filter delay, within a sample", () => {
  for (const [from, to, delay] of PAIRS) {
    const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: to });
    const chunk = from / 50;
    let wire = 0;
    let bot = 0;
    /** Wire samples beyond the bot's audio at the wire rate, at each reply's end. */
    const excess: number[] = [];
    for (let r = 0; r < 40; r++) {
      const reply = noise(replyLength(from, r), r + 1);
      for (let at = 0; at < reply.length; at += chunk) {
        wire += (audio.encode(frameOf(reply.subarray(at, at + chunk), from))?.length ?? 0) / 2;
      }
      bot += reply.length;
      // Two replies in three play on at their end (their held end goes), the third had played out.
      wire += (audio.endOutbound(r % 3 !== 2)?.length ?? 0) / 2;
      excess.push(wire - (bot * to) / from);
    }
    const label = `${from} → ${to}: ${excess.map((e) => e.toFixed(2)).join(" ")}`;
    // Above: the first reply's delay of silence, within a sample, however many replies went.
    // Below: a dropped end (it had played out) is the filter's delay, give or take what the last
    // chunk's length adds to it, and the next reply's start puts that much silence back.
    assert.ok(excess.every((e) => e > -delay && e < delay + 1), label);
  }
});

Deno.test("`TelephonyAudio` sends the bot's audio at the wire rate and one filter delay, within a sample, when replies change rate", () => {
  const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 8000 });
  let wire = 0;
  let bot = 0;
  const excess: number[] = [];
  const rates = [16000, 24000, 22050, 48000, 8000, 16000];
  for (let r = 0; r < 30; r++) {
    const rate = rates[r % rates.length]!;
    const reply = noise(replyLength(rate, r), r + 1);
    // Sent whole: one message, then its end (held end sent, but for every fourth reply).
    wire += (audio.encode(frameOf(reply, rate))?.length ?? 0) / 2;
    wire += (audio.endOutbound(r % 4 !== 3)?.length ?? 0) / 2;
    bot += (reply.length * 8000) / rate;
    excess.push(wire - bot);
  }
  // The longest delay among them, 22.05 kHz's 4 samples at 8 kHz, bounds the silence.
  assert.ok(excess.every((e) => e > -1 && e < 5), excess.map((e) => e.toFixed(2)).join(" "));
});

/**
 * A Twilio call (μ-law at 8 kHz, a byte a sample) for a bot at 16 kHz in 20 ms chunks, its far
 * end answering each mark as it reads it ("Media Streams - WebSocket Messages": a `mark` comes
 * back once the media before it has played); the samples of every `media` payload counted.
 */
async function twilioCall() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const serializer = new TwilioSerializer();
  /** What each `audioEnds` was told. */
  const ends: boolean[] = [];
  const audioEnds = serializer.audioEnds.bind(serializer);
  serializer.audioEnds = (playing: boolean) => {
    ends.push(playing);
    return audioEnds(playing);
  };
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    clock,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
  });
  const received = { samples: 0 };
  pair.client.addEventListener("message", (event) => {
    const message = JSON.parse((event as MessageEvent<string>).data);
    if (message.event === "mark") {
      pair.client.send(JSON.stringify({ event: "mark", streamSid: "MZ1", mark: message.mark }));
    }
    // Base64 of μ-law: a byte a sample.
    if (message.event === "media") received.samples += atob(message.media.payload).length;
  });
  transport.receive(() => {});
  pair.client.send(twilioStart({
    mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
  }));
  await clock.tick(10);
  return { clock, transport, received, ends };
}

Deno.test("`WebSocketTransport` on Twilio sends over 30 replies the bot's 16 kHz audio at 8 kHz and one filter delay, within a sample", async () => {
  const { clock, transport, received, ends } = await twilioCall();
  /** Wire samples beyond the bot's audio sent, at 8 kHz, after each reply. */
  const excess: number[] = [];
  for (let r = 0; r < 30; r++) {
    const reply = noise(replyLength(16000, r), r + 1);
    if (r % 5 === 4) {
      // A real-time bot: 20 ms frames as they play, the last one short.
      for (let at = 0; at < reply.length; at += 320) {
        transport.send({ ...frameOf(reply.subarray(at, at + 320), 16000), responseId: `r${r}` });
        await clock.tick(20);
      }
    } else {
      // Written ahead, at once: the last part-chunk is the reply's held-back end.
      transport.send({ ...frameOf(reply, 16000), responseId: `r${r}` });
    }
    if (r === 12) {
      // Barge-in 100 ms into the reply: what had not left is dropped, uncounted.
      await clock.tick(100);
      await transport.interrupt();
    }
    await clock.tick(1500);
    excess.push(received.samples - transport.stats.audioBytesSent / 4);
  }
  await transport.close();
  assert.ok(ends.filter((playing) => playing).length >= 20, `stretch ends: ${ends}`);
  // 2 samples: the silence the first reply began with (the filter's delay at 8 kHz).
  assert.ok(excess.every((e) => e > -1 && e < 3), `beyond the bot's audio: ${excess}`);
});
