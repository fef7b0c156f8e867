// A bot writing in real time that falls a few ms behind, its audio packed into packets
// (`fixedAudioPacketSize`), recorded at another rate than it speaks. By the pacing estimate the
// far end ran dry before each late chunk (a new spell), but a packet held the audio before it and
// the far end played them back to back; the recorder joins those spells (`playoutMoved`), and each
// had begun its own stretch through the resampler: at each join the old one's filter tail,
// completed from silence, met the new one's start from silence, a dip and a ring the caller
// never heard (at 8 kHz a burst near 4 kHz as loud as the speech). Where the far end did run
// dry, the gap is real and each stretch starts anew: also where a move split a spell (its two
// parts had kept one resampler's output across the gap), and a stretch ends where the caller
// stopped hearing it (a dropped last packet, an interruption) as it ends anywhere, its resampler
// completing it from silence (it had looked ahead at the audio never heard).
//
// The oracle is sox (an independent resampler) applied to each stretch the far end played: the
// recording's amplitude inside it must follow sox's, within the two resamplers' pass-band
// ripple. And, bit for bit, our own resampler run over the stretch in one piece.
import assert from "node:assert/strict";
import { CallRecorder, RawPcmSerializer, WebSocketTransport } from "../../mod.ts";
import { Resampler } from "../../src/audio/resampler.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd } from "../_fake_far_end.ts";
import { concatSamples } from "../audio/_test_signals.ts";
import { sine } from "../audio/tone.ts";
import { pcmFrame, toldChunk } from "./_call.ts";
import { parseWav } from "./_wav.ts";
import { rawPcm, samplesOf, sox } from "./_sox.ts";

const OUT_RATE = 16000;
const TONE_HZ = 440;
const LEVEL = 8000;
const CHUNK_MS = 20;

/** The reply: 2 s of the tone at 16 kHz, one continuous sine. */
const TONE = sine(TONE_HZ, OUT_RATE, 2 * OUT_RATE, LEVEL);

/** `ms` of the reply from `fromMs` on (a view). */
function tone(fromMs: number, ms: number): Int16Array {
  const perMs = OUT_RATE / 1000;
  return TONE.subarray(fromMs * perMs, (fromMs + ms) * perMs);
}

/** What the far end played in one piece: from clock `atMs`, `ms` long, the reply from `fromMs`. */
interface Stretch {
  atMs: number;
  ms: number;
  fromMs: number;
}

/**
 * A reply of the tone (2 s: 100 chunks by default), a 20 ms chunk at a time from 500 ms, chunk n
 * written `lateMs(n)` into its slot, packed into `packetBytes` packets, recorded at `rate`.
 * Returns the recording's bot channel and the stretches the far end played.
 */
async function reply(setup: {
  rate: number;
  packetBytes: number;
  lateMs: (n: number) => number;
  chunks?: number;
  lastPacket?: "pad" | "drop";
  /** The bot is interrupted then (clock ms). */
  interruptAt?: number;
  /** The recorder's `holdMs` (its default: 1000). */
  holdMs?: number;
}): Promise<{ bot: Int16Array; played: Stretch[]; lateMs: number }> {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new RawPcmSerializer(),
    audioOut: { sampleRate: OUT_RATE, chunkMs: CHUNK_MS },
    fixedAudioPacketSize: setup.packetBytes,
    ...(setup.lastPacket === undefined ? {} : { lastPacket: setup.lastPacket }),
    maxQueuedMs: 60_000,
    clock,
  });
  // Plays what arrives as it arrives, back to back (raw PCM: no acknowledgements).
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: 32, acks: false });
  transport.receive(() => {});
  const recorder = new CallRecorder({
    clock,
    sampleRate: setup.rate,
    ...(setup.holdMs === undefined ? {} : { holdMs: setup.holdMs }),
  });
  transport.observe(recorder);
  const wav = new Response(recorder.readable).arrayBuffer();
  for (let n = 0; n < (setup.chunks ?? 100); n++) {
    const writeAt = 500 + CHUNK_MS * n + setup.lateMs(n);
    if (setup.interruptAt !== undefined && setup.interruptAt <= writeAt) {
      await clock.tick(setup.interruptAt - clock.now());
      await transport.interrupt();
      break;
    }
    await clock.tick(writeAt - clock.now());
    transport.send({
      type: "audio",
      audio: bytesOf(tone(CHUNK_MS * n, CHUNK_MS)),
      sampleRate: OUT_RATE,
      channels: 1,
      responseId: "r1",
    });
  }
  await clock.tick(5000 - clock.now());
  pair.client.close(1000);
  await transport.closed;
  const played: Stretch[] = [];
  let fromMs = 0;
  for (const { at, ms } of farEnd.played) {
    const last = played.at(-1);
    if (last !== undefined && Math.abs(last.atMs + last.ms - at) < 1e-6) last.ms += ms;
    else played.push({ atMs: at, ms, fromMs });
    fromMs += ms;
  }
  const [, bot] = parseWav(new Uint8Array(await wav)).samples;
  return { bot: bot!, played, lateMs: recorder.stats.lateMs };
}

/** The bytes of `samples` (a view). */
function bytesOf(samples: Int16Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

/** `samples` at 16 kHz resampled to `rate` by sox, in one piece. */
async function soxResampled(samples: Int16Array, rate: number): Promise<Int16Array> {
  return samplesOf(await sox([...rawPcm(OUT_RATE), "-", ...rawPcm(rate), "-"], bytesOf(samples)));
}

/** `samples` at 16 kHz resampled to `rate` by our resampler, in one piece (flushed). */
function resampled(samples: Int16Array, rate: number): Int16Array {
  const resampler = new Resampler({ inputRate: OUT_RATE, outputRate: rate });
  return concatSamples([resampler.process(samples), resampler.flush()]);
}

/**
 * The tone's amplitude around each sample, whatever its phase: for a sine, x[n]² − x[n−k]·x[n+k]
 * is A²·sin²(kω); k a quarter period, where that is least sensitive to rounding.
 */
function amplitudes(x: Int16Array, rate: number): Float64Array {
  const k = Math.round(rate / (4 * TONE_HZ));
  const sin2 = Math.sin(2 * Math.PI * TONE_HZ * k / rate) ** 2;
  const out = new Float64Array(x.length);
  for (let n = k; n + k < x.length; n++) {
    out[n] = Math.sqrt(Math.max(0, (x[n]! * x[n]! - x[n - k]! * x[n + k]!) / sin2));
  }
  return out;
}

/**
 * Where the recording departs from each played stretch resampled in one piece, as text; bit for
 * bit but for the last `exceptEndMs` of each (a stretch that ends between two samples).
 */
async function faults(
  rate: number,
  heard: Awaited<ReturnType<typeof reply>>,
  exceptEndMs = 0,
): Promise<string[]> {
  const found: string[] = [];
  const perMs = rate / 1000;
  for (const { atMs, ms, fromMs } of heard.played) {
    const at = Math.round(atMs * perMs);
    const recorded = heard.bot.subarray(at, at + Math.round(ms * perMs));
    const input = tone(fromMs, ms);
    // Bit for bit, all of it: our resampler over the stretch in one piece.
    const ours = resampled(input, rate);
    let worst = 0;
    let worstAt = 0;
    for (let i = 0; i < ours.length - Math.round(exceptEndMs * perMs); i++) {
      const d = Math.abs((recorded[i] ?? 0) - ours[i]!);
      if (d > worst) [worst, worstAt] = [d, i];
    }
    if (worst > 1) {
      found.push(`${atMs} ms +${ms}: ${worst} off at ${(worstAt / perMs).toFixed(2)} ms`);
    }
    // Its amplitude inside it, away from its edges (a stretch starts and ends as a step, and the
    // two resamplers' filters ring differently after one: our elliptic ones at 8 kHz for ~20 ms):
    // sox's, within the pass bands' ripple.
    const edge = Math.round(25 * perMs);
    const mine = amplitudes(recorded, rate);
    const theirs = amplitudes(await soxResampled(input, rate), rate);
    let dip = 0;
    let dipAt = 0;
    for (let i = edge; i < recorded.length - edge; i++) {
      const d = Math.abs(mine[i]! - theirs[i]!) / LEVEL;
      if (d > dip) [dip, dipAt] = [d, i];
    }
    if (dip > 0.005) {
      found.push(
        `${atMs} ms +${ms}: amplitude ${(100 * dip).toFixed(1)} % off sox's at ${
          (dipAt / perMs).toFixed(2)
        } ms`,
      );
    }
  }
  return found;
}

/** Chunk n written 0-9 ms into its slot. */
const late = (n: number) => (n * 7) % 10;

for (const rate of [8000, 16000, 22050, 24000]) {
  Deno.test(`\`CallRecorder\` at ${rate} Hz records a reply whose late chunks a packet joined as one stretch, as resampled in one piece`, async () => {
    // From its third chunk on: joined at 40, 60 and 80 ms within the reply's first packet. And
    // from 540 ms on, inside the reply: a move splits it there (the far end ran dry: a gap), and
    // the audio before the gap ends, and the audio after it begins, as a stretch does.
    const found: string[] = [];
    for (const lateFrom of [2, 27]) {
      const lateMs = (n: number) => n >= lateFrom ? late(n) : 0;
      const heard = await reply({ rate, packetBytes: 3200, lateMs });
      assert.ok(heard.played.some((stretch) => stretch.ms >= 1000), "the far end played it joined");
      for (const fault of await faults(rate, heard)) found.push(`late from ${lateFrom}: ${fault}`);
      assert.equal(heard.lateMs, 0);
    }
    assert.deepEqual(found, []);
  });
}

Deno.test("`CallRecorder` records a reply whose long packets joined late chunks as one stretch", async () => {
  // Packets of 1 s and 1.5 s (32,000 and 48,000 bytes of 16 kHz; Exotel takes messages up to
  // 100,000 bytes). The chunks kept for a replay went back 600 ms: a move reaching further back
  // (the packet's first late chunk) found them let go, and left each join with a dip and a ring
  // (42 % at 8 kHz). A packet is held up to its length before it leaves, so `holdMs` covers it
  // (1.5 s: a 2 s hold); the recorder keeps what it holds.
  const found: string[] = [];
  for (const [packetBytes, holdMs] of [[32000, 1000], [48000, 2000]] as const) {
    for (const rate of [8000, 22050]) {
      for (const lateFrom of [2, 27]) {
        const lateMs = (n: number) => n >= lateFrom ? late(n) : 0;
        const heard = await reply({ rate, packetBytes, lateMs, lastPacket: "drop", holdMs });
        assert.ok(
          heard.played.some((stretch) => stretch.ms >= 1000),
          "the far end played it joined",
        );
        for (const fault of await faults(rate, heard)) {
          found.push(`${packetBytes} bytes at ${rate} Hz, late from ${lateFrom}: ${fault}`);
        }
        assert.equal(heard.lateMs, 0);
      }
    }
  }
  assert.deepEqual(found, []);
});

Deno.test("`CallRecorder` starts the resampler anew where the far end ran dry between late chunks", async () => {
  // Every tenth chunk 30 ms later than the ones before (more than the transport's lead): the far
  // end runs dry before it, and the caller hears a gap. A packet per chunk, and five.
  for (const packetBytes of [640, 3200]) {
    const heard = await reply({
      rate: 8000,
      packetBytes,
      lateMs: (n) => 30 * Math.floor(n / 10) + late(n),
    });
    assert.ok(heard.played.length >= 10, `gaps heard: ${JSON.stringify(heard.played)}`);
    assert.deepEqual(await faults(8000, heard), []);
    assert.equal(heard.lateMs, 0);
  }
});

Deno.test("`CallRecorder` ends a resampled reply whose partial last packet was dropped where the caller stopped hearing it", async () => {
  // 1.98 s on time in 100 ms packets, `lastPacket: "drop"`: the last 80 ms never leave, and the
  // caller heard the reply end at 1.9 s. Its recording ended there with the resampler's look at
  // the audio never heard, and without the tail a stretch ends with (tens of LSB in its last
  // samples).
  const found: string[] = [];
  for (const rate of [8000, 22050]) {
    const heard = await reply({
      rate,
      packetBytes: 3200,
      lateMs: () => 0,
      chunks: 99,
      lastPacket: "drop",
    });
    assert.deepEqual(heard.played.map(({ ms }) => ms), [1900]);
    for (const fault of await faults(rate, heard)) found.push(`${rate} Hz: ${fault}`);
  }
  assert.deepEqual(found, []);
});

Deno.test("`CallRecorder` ends a resampled reply that was interrupted where the caller stopped hearing it", async () => {
  const found: string[] = [];
  for (const rate of [8000, 22050]) {
    for (const interruptAt of [1003, 1250]) {
      const heard = await reply({ rate, packetBytes: 3200, lateMs: () => 0, interruptAt });
      const played = heard.played.map(({ ms }) => ms);
      assert.equal(played.length, 1, `one stretch: ${played}`);
      for (const fault of await faults(rate, heard)) {
        found.push(`${rate} Hz, interrupted at ${interruptAt}: ${fault}`);
      }
    }
  }
  assert.deepEqual(found, []);
});

Deno.test("`CallRecorder` starts the resampler anew where a joined reply changes rate", async () => {
  // Told as the transport tells a packet's late chunks (its order: the held chunks, then the move
  // that joins them, then the chunk that filled the packet): 20 ms at 16 kHz, then 60 ms at
  // 24 kHz whose first chunk came late (a spell of its own) and is joined to it. A rate change
  // cannot go through one resampler: the 16 kHz part ends with its tail from silence, the 24 kHz
  // part starts from silence, back to back.
  const clock = new FakeClock();
  const recorder = new CallRecorder({ clock, sampleRate: 8000 });
  const wav = new Response(recorder.readable).arrayBuffer();
  const at24k = sine(TONE_HZ, 24000, 4 * 480, LEVEL); // the same tone, at 24 kHz
  const chunk24k = (n: number) => at24k.subarray(480 * n, 480 * (n + 1));
  await clock.tick(500);
  recorder.outboundAudio(pcmFrame(tone(0, 20), 16000), toldChunk(0, 500));
  await clock.tick(27);
  recorder.outboundAudio(pcmFrame(chunk24k(1), 24000), toldChunk(20, 527));
  await clock.tick(20);
  recorder.outboundAudio(pcmFrame(chunk24k(2), 24000), toldChunk(40, 547));
  await clock.tick(13);
  recorder.playoutMoved({ at: 560, position: 0, playsAt: 560 });
  recorder.outboundAudio(pcmFrame(chunk24k(3), 24000), { ...toldChunk(60, 560), playsAt: 620 });
  await clock.tick(1440);
  recorder.stop();
  const [, bot] = parseWav(new Uint8Array(await wav)).samples;
  const from24k = new Resampler({ inputRate: 24000, outputRate: 8000 });
  const expected = concatSamples([
    resampled(tone(0, 20), 8000),
    from24k.process(at24k.subarray(480)),
    from24k.flush(),
  ]);
  assert.deepEqual(bot!.subarray(560 * 8, 640 * 8), expected);
  assert.equal(recorder.stats.lateMs, 0);
});

Deno.test("`CallRecorder` keeps one resampler through a moved reply whose packets split its chunks", async () => {
  // 218.75 ms packets of 20 ms chunks, chunk n written 0-9 ms into its slot: moves at positions
  // part-way through a chunk. A move rounds the audio's place to the recording's grid (where it
  // splits, at its `playsAt`, at each join): a sample or two off the lag the far end plays it
  // with. The next chunk read that as a lag change and moved the spell by it (a sample late:
  // 3488 off at the start of a stretch at 22.05 kHz), and at two samples began a spell of its
  // own, restarting the resampler inside audio the far end played in one piece (a 6.6 % dip,
  // by sox). `lastPacket: "drop"`: the reply ends on a packet's end, as it played. Bit for bit
  // but for each stretch's last 0.25 ms: a stretch that ends between two samples of the
  // recording ends with its resampler's tail laid on the grid there (up to 68 off in its last
  // three samples at 22.05 kHz; the other tests' stretches end on a sample).
  const found: string[] = [];
  for (const rate of [8000, 22050, 24000]) {
    const heard = await reply({ rate, packetBytes: 7000, lateMs: late, lastPacket: "drop" });
    assert.ok(heard.played.some((stretch) => stretch.ms >= 600), "the far end played it joined");
    for (const fault of await faults(rate, heard, 0.25)) found.push(`${rate} Hz: ${fault}`);
    assert.equal(heard.lateMs, 0);
  }
  assert.deepEqual(found, []);
});
