// A stretch resampled on its way into the recording (a 22.05 kHz bot or caller into a 16 kHz
// recording) holds back its last samples (the resampler's delay) until it ends. A write-out point
// that falls among them must not write their places out as silence: the reply or the caller's
// words would end in a hole and a click, counted late although the audio came on time.
import assert from "node:assert/strict";
import { CallRecorder, RawPcmSerializer, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { parseWav } from "./_wav.ts";

const LEVEL = 3000;

/** What a run of one call says: the recording's two channels and what was late. */
interface Heard {
  caller: Int16Array;
  bot: Int16Array;
  lateMs: number;
}

/**
 * A call on the fake clock: the caller sends 20 ms frames at `callerRate` (its microphone's
 * level `LEVEL`) arriving at `callerAt`, the bot answers with `replySamples` at `botRate` sent at
 * `replyAt`, into a 16 kHz recording; the call ends at `endAt`.
 */
async function run(setup: {
  callerRate: number;
  callerAt: number[];
  botRate: number;
  replyAt: number;
  replySamples: number;
  endAt: number;
}): Promise<Heard> {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    clock,
    audioIn: { sampleRate: setup.callerRate },
    audioOut: { sampleRate: setup.botRate, chunkMs: 20 },
  });
  transport.receive(() => {});
  const recorder = new CallRecorder({ clock, sampleRate: 16000 });
  transport.observe(recorder);
  const wav = new Response(recorder.readable).arrayBuffer();
  const frame = new Uint8Array(new Int16Array(setup.callerRate / 50).fill(LEVEL).buffer);
  const arrivals = new Set(setup.callerAt);
  const moments = [...new Set([...setup.callerAt, setup.replyAt, setup.endAt])].sort((a, b) =>
    a - b
  );
  for (const ms of moments) {
    await clock.tick(ms - clock.now());
    if (ms === setup.replyAt && setup.replySamples > 0) {
      transport.send({
        type: "audio",
        audio: new Uint8Array(new Int16Array(setup.replySamples).fill(LEVEL).buffer),
        sampleRate: setup.botRate,
        channels: 1,
        responseId: "r1",
      });
    }
    if (arrivals.has(ms)) pair.client.send(frame);
  }
  pair.client.close(1000);
  await transport.closed;
  const [caller, bot] = parseWav(new Uint8Array(await wav)).samples;
  return { caller: caller!, bot: bot!, lateMs: recorder.stats.lateMs };
}

/** Silent samples between a channel's first and last sound, as "count at first..last". */
function holes(samples: Int16Array): string | undefined {
  const first = samples.findIndex((s) => s !== 0);
  let last = samples.length - 1;
  while (last > 0 && samples[last] === 0) last--;
  const silent: number[] = [];
  for (let i = first; i <= last; i++) if (samples[i] === 0) silent.push(i);
  return silent.length === 0 ? undefined : `${silent.length} at ${silent[0]}..${silent.at(-1)}`;
}

Deno.test("`CallRecorder` records a resampled bot reply played without a break to its last sample", async () => {
  const faults: string[] = [];
  // Replies of 2 s and a little more from a 22.05 kHz bot: their ends fall at every point of the
  // 100 ms step the recording is written out by (the caller's frames drive it), ~1 s after.
  const callerAt = Array.from({ length: 250 }, (_, i) => 20 * (i + 1));
  for (let extra = 0; extra < 2205; extra += 11) {
    const replySamples = 2 * 22050 + extra;
    const heard = await run({
      callerRate: 16000,
      callerAt,
      botRate: 22050,
      replyAt: 1000,
      replySamples,
      endAt: 5000,
    });
    const hole = holes(heard.bot);
    if (hole !== undefined || heard.lateMs !== 0) {
      faults.push(`reply of ${replySamples} samples: silent ${hole}; late ${heard.lateMs} ms`);
    }
  }
  assert.deepEqual(faults, []);
});

Deno.test("`CallRecorder` records a resampled caller's words that end as the recording is written out to their last sample", async () => {
  const faults: string[] = [];
  // A 22.05 kHz caller who stops at every millisecond of the 100 ms write-out step, while the
  // bot's reply (its chunks every 20 ms) drives the writing out past the caller's last words.
  for (let stop = 2000; stop < 2100; stop++) {
    const callerAt = Array.from({ length: 50 }, (_, i) => stop - 20 * i);
    const heard = await run({
      callerRate: 22050,
      callerAt,
      botRate: 16000,
      replyAt: 1500,
      replySamples: 3 * 16000,
      endAt: 5000,
    });
    const hole = holes(heard.caller);
    if (hole !== undefined || heard.lateMs !== 0) {
      faults.push(`caller stopping at ${stop} ms: silent ${hole}; late ${heard.lateMs} ms`);
    }
  }
  assert.deepEqual(faults, []);
});

Deno.test("`CallRecorder` keeps a resampled caller whole when the write-out point follows a stretch that goes on", async () => {
  // The caller's frames come 999 ms late from 1 s on (the network's delay grew) and are laid end
  // to end: the stretch goes on 1 ms ahead of the write-out point (the hold is 1000 ms), among
  // the samples its resampler holds, every time the recording is written out.
  const callerAt = Array.from({ length: 150 }, (_, i) => 20 * (i + 1))
    .map((ms) => ms < 1000 ? ms : ms + 999);
  const { caller, lateMs } = await run({
    callerRate: 22050,
    callerAt,
    botRate: 16000,
    replyAt: 0,
    replySamples: 0,
    endAt: 4500,
  });
  const first = caller.findIndex((s) => s !== 0);
  let last = caller.length - 1;
  while (last > 0 && caller[last] === 0) last--;
  // One stretch, resampled as one: the level holds (within 1 %) but for the filter's edges.
  const off: string[] = [];
  for (let i = first + 100; i < last - 100; i++) {
    if (Math.abs(caller[i]! - LEVEL) > LEVEL / 100) off.push(`${i}: ${caller[i]}`);
  }
  assert.deepEqual(off.slice(0, 10), []);
  assert.equal(lateMs, 0);
  assert.equal(last - first + 1, 150 * 320, "3 s of the caller");
});
