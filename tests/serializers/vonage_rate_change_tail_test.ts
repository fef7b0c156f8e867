// A reply that Vonage's `websocket:connected` moves to another rate mid-stream ends in its own
// frames, with no frame of padding after it.
//
// The far end as Vonage documents it (developer.vonage.com, Voice API, "WebSockets in the Vonage
// Voice API": the `websocket:connected` message's `content-type`, `audio/l16;rate=16000` or
// `audio/l16;rate=8000`, names the rate of the binary audio both ways; "Writing audio to the
// WebSocket": binary messages of 20 ms of 16-bit linear PCM, 640 bytes at 16 kHz, 320 at 8 kHz,
// played one after the other, each for 20 ms; `{"action":"notify"}` answered by
// `websocket:notify` once the audio sent before it has played).
//
// The bot writes at 24 kHz. At the change the old resampler's held-back end (the filter's delay)
// is carried over as speech, the bot's last samples before it (vonage_test.ts: "loses none of the
// bot's audio its resampler held"). But that stream began with the filter's delay as silence: once
// carried, the stream runs that much (a sample at 8 kHz) beyond what the bot wrote, so a reply
// that fills its last frame at the new rate had that sample, and the new resampler's end after it,
// sent as a frame of their own, 20 ms nearly all padding: 820 ms played for 800. As a reply's
// tail with no room in its last frame is (vonage_reply_tail_test.ts), they are dropped.
import assert from "node:assert/strict";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { PLAYOUT_END_MARK_PREFIX } from "../../src/playback.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import type { AudioFrame } from "../../src/frames.ts";
import {
  LEVEL,
  samplesOf,
  speech24k,
  trailingSilence,
  vonageFrom24kHz,
} from "./_vonage_24k_replies.ts";

const CONNECTED_8K = JSON.stringify({
  event: "websocket:connected",
  "content-type": "audio/l16;rate=8000",
});

/** Milliseconds Vonage plays `frames` for at `rate`: 20 ms each. */
const msOf = (frames: Uint8Array[], rate: number) =>
  frames.reduce((ms, f) => ms + f.length / (rate / 500), 0);

for (const playing of [true, false]) {
  Deno.test(`Vonage: an 800 ms reply across a change to 8 kHz ends in 800 ms of whole frames, none of padding (far end ${playing ? "playing on" : "run dry"})`, () => {
    const vonage = vonageFrom24kHz();
    // 30 ms (720 samples): one 640-byte frame at 16 kHz, 10 ms held.
    const before = vonage.serialize(speech24k(720)) as Uint8Array[];
    assert.deepEqual(before.map((f) => f.length), [640]);
    vonage.deserialize(CONNECTED_8K);
    // 770 ms more: with the 10 ms carried, 780 ms at 8 kHz, 39 whole frames.
    const after = vonage.serialize(speech24k(18480)) as Uint8Array[];
    assert.ok(after.every((f) => f.length === 320), "20 ms frames at 8 kHz");
    assert.equal(after.length, 39);
    // Only what ran beyond the bot's audio is left: dropped, not padded to a frame of its own.
    // The list is empty rather than null: the partial frame the transport counted is gone.
    assert.deepEqual(vonage.audioEnds(playing), []);
    assert.equal(msOf(before, 16000) + msOf(after, 8000), 800);
    assert.equal(trailingSilence(after.at(-1)!), 0, "the reply's last frame: speech to its end");
    assert.equal(vonage.audioEnds(playing), null, "nothing held any more");
    // The next reply begins a stream of its own: the filter's delay (2 samples) as silence, then
    // its speech rising in (the filter's step), nothing of the last reply's end in front of it.
    const [next] = vonage.serialize(speech24k(480)) as Uint8Array[];
    assert.equal(next?.length, 320);
    const samples = samplesOf(next!);
    assert.deepEqual([...samples.subarray(0, 2)], [0, 0]);
    assert.ok(samples.subarray(3).every((s) => Math.abs(s - LEVEL) < LEVEL / 2));
  });
}

Deno.test("Vonage: a rate change with nothing but the filter's end to carry leaves no frame at the stretch's end", () => {
  const vonage = vonageFrom24kHz();
  // 800 ms: 40 whole frames at 16 kHz, nothing held but in the resampler.
  assert.equal((vonage.serialize(speech24k(19200)) as Uint8Array[]).length, 40);
  vonage.deserialize(CONNECTED_8K);
  assert.deepEqual(vonage.audioEnds(true), []);
});

Deno.test("Vonage: after a rate change, a partial last frame holding the reply goes, the filter's ends in its room, padded", () => {
  const vonage = vonageFrom24kHz();
  vonage.serialize(speech24k(720));
  vonage.deserialize(CONNECTED_8K);
  // 780 ms more: 790 ms at 8 kHz, 39 frames and 80 samples of the reply held, then the sample
  // carried beyond it.
  const after = vonage.serialize(speech24k(18720)) as Uint8Array[];
  assert.equal(after.length, 39);
  const [last, ...more] = vonage.audioEnds(true) ?? [];
  assert.deepEqual(more, []);
  assert.equal((last as Uint8Array).length, 320);
  // 80 samples of the reply, the one carried, the 2 the new resampler held back; then silence.
  assert.equal(trailingSilence(last as Uint8Array), 160 - 83);
});

/**
 * A Vonage call given 16 kHz through a transport whose bot speaks at 24 kHz; Vonage opens it at
 * 8 kHz (`CONNECTED_8K`) 30 ms into the first reply. The far end plays each binary message for
 * its length at the rate it was sent at, from PLAYOUT_DELAY_MS after it arrived at the earliest,
 * and answers a notify once what was sent before it has played. Returns the milliseconds it was
 * sent and the stats, after two replies (800 ms, then 400 ms) have played; `botMark`: the bot
 * marks the end of the first reply so named (the marks that came back are returned).
 */
async function twoRepliesAcrossTheChange(options: Partial<TransportOptions>, botMark?: string) {
  const PLAYOUT_DELAY_MS = 100;
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new VonageSerializer({ sampleRate: 16000 }),
    audioOut: { sampleRate: 24000, channels: 1, chunkMs: 20 },
    clock,
    ...options,
  });
  const marks: string[] = [];
  transport.receive((frame) => {
    if (frame.type === "mark") marks.push(frame.name);
  });
  const errors: unknown[] = [];
  transport.addEventListener("error", (e) => {
    // Packets of 1280 bytes are two 16 kHz frames a message, which Vonage refuses: told once, an
    // "encode" error (vonage_packet_size_test.ts). This far end plays any size, to count them.
    if (!/fixedAudioPacketSize 1280/.test(e.error.message)) errors.push(e.error);
  });
  let rate = 16000;
  let sentMs = 0;
  let playedUntil = 0;
  const ends: number[] = [];
  pair.client.binaryType = "arraybuffer";
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data !== "string") {
      const ms = (data as ArrayBuffer).byteLength / (rate / 500);
      sentMs += ms;
      playedUntil = Math.max(clock.now() + PLAYOUT_DELAY_MS, playedUntil) + ms;
      return;
    }
    const command = JSON.parse(data);
    if (command.action !== "notify") return;
    const answer = JSON.stringify({ event: "websocket:notify", payload: command.payload });
    void clock.sleep(playedUntil - clock.now()).then(() => {
      if (String(command.payload.mark).startsWith(PLAYOUT_END_MARK_PREFIX)) ends.push(clock.now());
      pair.client.send(answer);
    });
  });
  await clock.tick(0);
  void transport.send(speech24k(19200, "r1"));
  if (botMark !== undefined) void transport.send({ type: "mark", name: botMark });
  await clock.tick(30);
  pair.client.send(CONNECTED_8K);
  await clock.tick(0);
  rate = 8000;
  for (let i = 0; i < 300; i++) await clock.tick(10);
  void transport.send(speech24k(9600, "r2"));
  for (let i = 0; i < 300; i++) await clock.tick(10);
  const stats = { ...transport.stats };
  pair.client.close(1000);
  await transport.closed;
  return { sentMs, stats, ends, errors, marks };
}

Deno.test("Vonage over a transport: two replies across a change to 8 kHz reach it as 1200 ms, all counted sent", async () => {
  const { sentMs, stats, ends, errors } = await twoRepliesAcrossTheChange({});
  assert.deepEqual(errors, []);
  assert.equal(sentMs, 1200, `${sentMs} ms sent for the 1200 ms the bot wrote`);
  assert.equal(stats.audioBytesSent, (19200 + 9600) * 2);
  assert.equal(stats.audioBytesDroppedOnClose, 0);
  assert.equal(ends.length, 2, "each reply's end of speech answered");
});

Deno.test("Vonage over a transport with 1280-byte packets: two replies across a change to 8 kHz, all counted sent", async () => {
  const { sentMs, stats, errors } = await twoRepliesAcrossTheChange({
    fixedAudioPacketSize: 1280,
    lastPacket: "short",
  });
  assert.deepEqual(errors, []);
  assert.equal(sentMs, 1200, `${sentMs} ms sent for the 1200 ms the bot wrote`);
  assert.equal(stats.audioBytesSent, (19200 + 9600) * 2);
  assert.equal(stats.audioBytesDroppedOnClose, 0);
});

// A bot that marks the end of its reply (to hear when it has played) has its mark sent before the
// transport ends the stretch: the mark sends the partial frame, padded. Holding only the sample
// the change carried beyond the bot's audio, it went as a frame of its own, 20 ms nearly all
// silence: 820 ms played for 800, as before the stretch end dropped it.
Deno.test("Vonage: a bot's mark after a reply across a change to 8 kHz sends its notify alone, no frame of padding", () => {
  const vonage = vonageFrom24kHz();
  vonage.serialize(speech24k(720));
  vonage.deserialize(CONNECTED_8K);
  assert.equal((vonage.serialize(speech24k(18480)) as Uint8Array[]).length, 39);
  assert.equal(
    vonage.serialize({ type: "mark", name: "said" }),
    '{"action":"notify","payload":{"mark":"said"}}',
  );
  assert.equal(vonage.audioEnds(true), null, "nothing held any more");
});

Deno.test("Vonage: a bot's mark mid-reply, after a change to 8 kHz, puts no frame of silence into the speech", () => {
  const vonage = vonageFrom24kHz();
  const before = vonage.serialize(speech24k(720)) as Uint8Array[];
  vonage.deserialize(CONNECTED_8K);
  const during = vonage.serialize(speech24k(18480)) as Uint8Array[];
  const mark = vonage.serialize({ type: "mark", name: "sentence" });
  assert.equal(typeof mark, "string", "the notify alone");
  // The speech goes on from the same stream: whole frames of speech, none padded.
  const after = vonage.serialize(speech24k(9600)) as Uint8Array[];
  assert.equal(after.length, 20);
  for (const frame of [...during, ...after]) assert.equal(trailingSilence(frame), 0);
  assert.equal(msOf(before, 16000) + msOf(during, 8000) + msOf(after, 8000), 1200);
  assert.equal(vonage.audioEnds(true), null);
});

for (const options of [{}, { fixedAudioPacketSize: 1280, lastPacket: "short" as const }]) {
  Deno.test(`Vonage over a transport${options.fixedAudioPacketSize ? " with 1280-byte packets" : ""}: a reply the bot marks across a change to 8 kHz reaches it as its own length, all counted sent`, async () => {
    const { sentMs, stats, ends, errors, marks } = await twoRepliesAcrossTheChange(
      options,
      "r1-played",
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(marks, ["r1-played"]);
    assert.equal(sentMs, 1200, `${sentMs} ms sent for the 1200 ms the bot wrote`);
    assert.equal(stats.audioBytesSent, (19200 + 9600) * 2);
    assert.equal(stats.audioBytesDroppedOnClose, 0);
    assert.equal(ends.length, 2, "each reply's end of speech answered");
  });
}

// A second change that finds nothing to carry (what the first carried beyond the bot's audio has
// left in whole frames, and no resampler holds anything: the bot speaks at the wire's rate) still
// finds the stream that much beyond the bot's audio: forgotten, the reply's last frame, holding
// only that much, went padded, 20 ms of silence more.
Deno.test("Vonage: a second rate change with nothing held keeps what the first carried beyond the audio", () => {
  const vonage = new VonageSerializer({ sampleRate: 8000 });
  vonage.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  const speech16k = (samples: number): AudioFrame => ({
    type: "audio",
    audio: new Uint8Array(new Int16Array(samples).fill(LEVEL).buffer),
    sampleRate: 16000,
    channels: 1,
  });
  const connected16k = JSON.stringify({
    event: "websocket:connected",
    "content-type": "audio/l16;rate=16000",
  });
  // 20 ms: a whole frame at 8 kHz, the resampler's end (2 samples) held.
  const first = vonage.serialize(speech16k(320)) as Uint8Array[];
  vonage.deserialize(connected16k);
  // 19.75 ms: with that end carried (4 samples at 16 kHz), a whole frame, nothing held.
  const second = vonage.serialize(speech16k(316)) as Uint8Array[];
  vonage.deserialize(CONNECTED_8K);
  // 40.25 ms: 80 ms written in all; two whole frames at 8 kHz, and 2 samples beyond the audio.
  const third = vonage.serialize(speech16k(644)) as Uint8Array[];
  assert.deepEqual(vonage.audioEnds(true), [], "the 2 samples dropped, not padded to a frame");
  assert.equal(msOf(first, 8000) + msOf(second, 16000) + msOf(third, 8000), 80);
});
