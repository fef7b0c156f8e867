// A recorder added while the bot is speaking (`transport.observe(recorder)` mid-reply) must record
// the rest of the reply as one made from the start does. The bot here writes in real time, each
// 20 ms frame a little before its slot ends, by a varying 1-10 ms: every chunk is due when it is
// written (the transport's deadline is its write time), and the far end plays them back to back.
// Counted from the first chunk a late recorder saw, a later chunk written later in its slot looked
// due past its place and began a new stretch in the middle of continuous audio: a 24 kHz bot's
// resampler into the 16 kHz recording restarted there, a click at each such chunk.
import assert from "node:assert/strict";
import { CallRecorder, RawPcmSerializer, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd } from "../_fake_far_end.ts";
import { parseWav } from "./_wav.ts";

const BOT_RATE = 24000;
const FRAME = 480; // 20 ms at 24 kHz
const AMPLITUDE = 8000;

/**
 * A 2 s reply of a 1 kHz tone written a frame at a time from 500 ms, each frame `early(n)` ms
 * before its slot's end; a recorder from the start and one added at `attachAt`. The bot's
 * channel of each recording.
 */
async function reply(attachAt: number, early: (n: number) => number, sampleRate: number) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    audioOut: { sampleRate: BOT_RATE, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: 48, acks: false });
  transport.receive(() => {});
  const fromStart = new CallRecorder({ clock, sampleRate });
  const added = new CallRecorder({ clock, sampleRate });
  transport.observe(fromStart);
  const wavs = [fromStart, added].map((r) => new Response(r.readable).arrayBuffer());
  let t = 0;
  const frame = () => {
    const samples = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++, t++) {
      samples[i] = Math.round(AMPLITUDE * Math.sin(2 * Math.PI * 1000 * t / BOT_RATE));
    }
    return {
      type: "audio" as const,
      audio: new Uint8Array(samples.buffer),
      sampleRate: BOT_RATE,
      channels: 1,
      responseId: "r1",
    };
  };
  const steps: [number, () => void][] = [[attachAt, () => void transport.observe(added)]];
  for (let n = 0; n < 100; n++) {
    steps.push([500 + 20 * n - (n > 0 ? early(n) : 0), () => void transport.send(frame())]);
  }
  steps.sort((a, b) => a[0] - b[0]);
  for (const [at, step] of steps) {
    await clock.tick(at - clock.now());
    step();
  }
  await clock.tick(5000 - clock.now());
  pair.client.close(1000);
  await transport.closed;
  const [a, b] = await Promise.all(wavs);
  const played = farEnd.played.map((p) => p.at);
  return {
    fromStart: parseWav(new Uint8Array(a!)).samples[1]!,
    added: parseWav(new Uint8Array(b!)).samples[1]!,
    backToBack: played.every((at, i) => i === 0 || at === played[i - 1]! + 20),
  };
}

/** The largest difference between the two from 10 ms into the added recorder's first sound on. */
function largestDifference(fromStart: Int16Array, added: Int16Array, perMs: number) {
  const first = added.findIndex((s) => s !== 0);
  let largest = 0;
  let at = NaN;
  for (let i = first + 10 * perMs; i < fromStart.length; i++) {
    const difference = Math.abs(fromStart[i]! - added[i]!);
    if (difference > largest) [largest, at] = [difference, i / perMs];
  }
  return { first: first / perMs, largest, at };
}

Deno.test("`CallRecorder` added mid-reply records the rest of a real-time bot's reply as one added at the start does", async () => {
  const early = (n: number) => (n * 7) % 10 + 1;
  const faults: string[] = [];
  for (const attachAt of [700, 913, 1207, 1999]) {
    const { fromStart, added, backToBack } = await reply(attachAt, early, 16000);
    assert.ok(backToBack, "the far end played the reply in one piece");
    const { first, largest, at } = largestDifference(fromStart, added, 16);
    // Resampled from another start, the two may differ by a rounding (one unit).
    if (!(first < attachAt + 60) || largest > 1) {
      faults.push(`added at ${attachAt} (sound from ${first} ms): out by ${largest} at ${at} ms`);
    }
  }
  assert.deepEqual(faults, []);
});

Deno.test("`CallRecorder` added mid-reply, at the bot's own rate, records the rest exactly", async () => {
  const early = (n: number) => (n * 7) % 10 + 1;
  for (const attachAt of [700, 913, 1207]) {
    const { fromStart, added } = await reply(attachAt, early, BOT_RATE);
    const { largest } = largestDifference(fromStart, added, 24);
    assert.equal(largest, 0, `added at ${attachAt}`);
  }
});
