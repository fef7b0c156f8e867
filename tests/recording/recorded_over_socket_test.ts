// A call recorded through a real transport on a real socket (127.0.0.1, port 0), judged by an
// oracle independent of the recorder: a Twilio far end that keeps what the caller heard, as the
// bytes it played when it played them, and sox, which decodes and resamples that (its own G.711
// and resampler) and reads the recording's WAV. The far end follows Twilio's "Media Streams -
// WebSocket Messages" (https://www.twilio.com/docs/voice/media-streams/websocket-messages):
// "connected", then "start", then a "media" message of 20 ms of μ-law 8 kHz every 20 ms; media
// sent to it plays in order as it arrives; a "mark" is sent back once the media sent before it
// has played; a "clear" empties its buffer, and the marks waiting are sent back at once.
//
// The call: the caller speaks (300 Hz) for 1 s; the bot answers at 1.2 s with 1.5 s of 1 kHz at
// 24 kHz, interrupted at 2 s; a second answer of 0.5 s at 2.5 s; the caller hangs up at 3.5 s. A
// recorder observes from the start at each recording rate; a second one is made in the middle of
// the first answer and stopped in the middle of the second.
import assert from "node:assert/strict";
import { CallRecorder, type RecordingStats, WebSocketTransport } from "../../mod.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { Lockstep } from "../_lockstep.ts";
import { twilioIds, twilioStart } from "../serializers/fixtures/twilio_call.ts";
import { collect } from "./_call.ts";
import { parseWav } from "./_wav.ts";
import { rawPcm, samplesOf, sox } from "./_sox.ts";

const TONE_LEVEL = 0.3; // of full scale
const TONE_RMS = TONE_LEVEL * 32767 / Math.SQRT2;
const CALLER_HZ = 300;
const BOT_HZ = 1000;
const HANG_UP_AT = 3500;

/** One stretch the far end played: from clock `at`, `ms` long. */
interface Played {
  at: number;
  ms: number;
}

/**
 * The Twilio side of the call: sends the caller's media, plays the bot's into `heard` (μ-law
 * 8 kHz, one byte per 1/8 ms of the call; 0xFF, silence, where nothing played) and answers marks
 * and clears as the documentation says.
 */
class TwilioFarEnd {
  readonly heard = new Uint8Array(HANG_UP_AT * 8).fill(0xff);
  readonly played: Played[] = [];
  #playEnd = 0;
  #marks: { name: string; due: number; abort: AbortController }[] = [];
  #sequence = 1;
  readonly #clock: FakeClock;
  readonly #socket: { send(data: string): void };

  constructor(clock: FakeClock, socket: { send(data: string): void }) {
    this.#clock = clock;
    this.#socket = socket;
  }

  #send(message: Record<string, unknown>): void {
    this.#socket.send(JSON.stringify({
      ...message,
      sequenceNumber: String(++this.#sequence),
      streamSid: twilioIds.stream,
    }));
  }

  /** Media `k` (20 ms from timestamp 20·k) of the caller's μ-law. */
  media(k: number, payload: Uint8Array): void {
    this.#send({
      event: "media",
      media: {
        track: "inbound",
        chunk: String(k + 1),
        timestamp: String(20 * k),
        payload: btoa(String.fromCharCode(...payload)),
      },
    });
  }

  /** A message from the bot's transport. */
  received(data: string): void {
    const message = JSON.parse(data);
    const now = this.#clock.now();
    if (message.event === "media") {
      const bytes = Uint8Array.from(atob(message.media.payload), (c) => c.charCodeAt(0));
      const at = Math.max(now, this.#playEnd);
      this.heard.set(bytes.subarray(0, Math.max(0, this.heard.length - at * 8)), at * 8);
      const last = this.played.at(-1);
      if (last !== undefined && last.at + last.ms === at) last.ms += bytes.length / 8;
      else this.played.push({ at, ms: bytes.length / 8 });
      this.#playEnd = at + bytes.length / 8;
    } else if (message.event === "mark") {
      const mark = { name: message.mark.name, due: this.#playEnd, abort: new AbortController() };
      this.#marks.push(mark);
      this.#clock.sleep(mark.due - now, mark.abort.signal).then(
        () => this.#markPlayed(mark),
        () => {},
      );
    } else if (message.event === "clear") {
      // What had not played by now never will: the stretch playing ends here.
      if (this.#playEnd > now) {
        this.heard.fill(0xff, now * 8, this.#playEnd * 8);
        const last = this.played.at(-1)!;
        last.ms = now - last.at;
        this.#playEnd = now;
      }
      for (const mark of [...this.#marks]) {
        mark.abort.abort();
        this.#markPlayed(mark);
      }
    }
  }

  #markPlayed(mark: { name: string }): void {
    this.#marks = this.#marks.filter((m) => m !== mark);
    this.#send({ event: "mark", mark: { name: mark.name } });
  }
}

/** `ms` of a sine of `hz` at `rate` by sox, as `format` (sox's output options). */
function soxTone(hz: number, ms: number, output: string[]): Promise<Uint8Array> {
  return sox([
    "-n",
    ...output,
    "-",
    "synth",
    String(ms / 1000),
    "sine",
    String(hz),
    "vol",
    String(TONE_LEVEL),
  ]);
}

interface Recorded {
  a: Uint8Array;
  b: Uint8Array;
  aHeader: Uint8Array;
  bHeader: Uint8Array;
  stats: RecordingStats;
  farEnd: TwilioFarEnd;
  closedAt: number;
}

/** The call, recorded at `rate`. */
async function recordedCall(rate: number): Promise<Recorded> {
  const callerTone = await soxTone(CALLER_HZ, 1000, ["-r", "8000", "-c", "1", "-t", "ul"]);
  const answer = (ms: number) => soxTone(BOT_HZ, ms, rawPcm(24000));
  const [first, second] = [await answer(1500), await answer(500)];
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  let accepted!: (transport: WebSocketTransport) => void;
  const session = new Promise<WebSocketTransport>((resolve) => (accepted = resolve));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = lockstep.accept(request);
    accepted(
      new WebSocketTransport(socket, {
        serializer: new TwilioSerializer(),
        audioIn: { sampleRate: 16000 },
        audioOut: { sampleRate: 24000, chunkMs: 20 },
        clock,
      }),
    );
    return response;
  });
  try {
    return await lockstep.run((async () => {
      const client = lockstep.connect(`ws://127.0.0.1:${server.addr.port}/`);
      const farEnd = new TwilioFarEnd(clock, client);
      const transport = await session;
      const a = new CallRecorder({ clock, sampleRate: rate });
      transport.observe(a);
      const aWav = collect(a.readable);
      transport.receive(() => {}); // the bot hears the caller and does nothing with it
      await new Promise((resolve) => client.addEventListener("open", resolve));
      client.addEventListener("message", (event) => farEnd.received(event.data));
      client.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
      client.send(twilioStart({
        tracks: ["inbound"],
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      }));
      let b: CallRecorder | undefined;
      let bWav: Promise<Uint8Array> | undefined;
      const at = (ms: number) => clock.sleep(ms - clock.now());
      const bot = (async () => {
        await at(1200);
        transport.send({ type: "audio", audio: first, sampleRate: 24000, channels: 1 });
        await at(1500);
        b = new CallRecorder({ clock, sampleRate: rate });
        transport.observe(b);
        bWav = collect(b.readable);
        await at(2000);
        await transport.interrupt();
        await at(2500);
        transport.send({ type: "audio", audio: second, sampleRate: 24000, channels: 1 });
        await at(2700);
        b.stop();
      })();
      for (let k = 0; k < HANG_UP_AT / 20; k++) {
        await at(20 * (k + 1));
        farEnd.media(
          k,
          k < 50 ? callerTone.subarray(160 * k, 160 * (k + 1)) : new Uint8Array(160).fill(0xff),
        );
      }
      await bot;
      client.close(1000);
      await transport.closed;
      const closedAt = clock.now();
      return {
        a: await aWav,
        b: await bWav!,
        aHeader: a.wavHeader(),
        bHeader: b!.wavHeader(),
        stats: a.stats,
        farEnd,
        closedAt,
      };
    })());
  } finally {
    await server.shutdown();
  }
}

/** RMS of `x` in windows of `windowMs` at `rate`. */
function envelope(x: Int16Array, rate: number, windowMs: number): number[] {
  const n = Math.round(rate * windowMs / 1000);
  const out: number[] = [];
  for (let i = 0; i + n <= x.length; i += n) {
    let sum = 0;
    for (let j = i; j < i + n; j++) sum += x[j]! * x[j]!;
    out.push(Math.sqrt(sum / n));
  }
  return out;
}

/** Zero crossings per second of `x` at `rate`, halved: its frequency for a tone. */
function frequency(x: Int16Array, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < x.length; i++) if ((x[i - 1]! < 0) !== (x[i]! < 0)) crossings++;
  return crossings / 2 / (x.length / rate);
}

/** Where `samples` at `rate` has tone and silence, against what was heard (`expected`), as text. */
function departures(
  samples: Int16Array,
  expected: Int16Array,
  rate: number,
  edges: number[],
): string[] {
  const windowMs = 5;
  const mine = envelope(samples, rate, windowMs);
  const theirs = envelope(expected, rate, windowMs);
  const found: string[] = [];
  const nearEdge = (ms: number) => edges.some((edge) => Math.abs(edge - ms) <= 10);
  for (let w = 0; w < theirs.length; w++) {
    const ms = w * windowMs;
    if (nearEdge(ms) || nearEdge(ms + windowMs)) continue;
    const [got, want] = [mine[w] ?? 0, theirs[w]!];
    // A tone within 1 dB of the heard one (μ-law's error is far smaller); silence as silence.
    const wrong = want > TONE_RMS / 2 ? Math.abs(20 * Math.log10(got / want)) > 1 : got > 30;
    if (wrong) {
      found.push(`${ms}-${ms + windowMs} ms: RMS ${got.toFixed(0)}, heard ${want.toFixed(0)}`);
    }
  }
  return found.slice(0, 8);
}

for (const rate of [8000, 16000, 22050, 24000, 44100, 48000]) {
  Deno.test(`\`CallRecorder\` at ${rate} Hz records a Twilio call over a socket as the far end heard it, by sox`, async () => {
    const { a, b, aHeader, bHeader, stats, farEnd, closedAt } = await recordedCall(rate);
    assert.deepEqual(
      [stats.durationMs, stats.lateMs, stats.droppedMs, stats.overrunMs],
      [closedAt, 0, 0, 0],
    );
    // What the far end played: the first answer until the clear, the second whole.
    assert.deepEqual(farEnd.played.map(({ ms }) => ms), [800, 500]);
    const [first, second] = farEnd.played as [Played, Played];

    // The header: streamed as "until the end", then the true one the recorder gives.
    const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, 44);
    assert.equal(view(a).getUint32(40, true), 0xffffffff);
    assert.equal(view(aHeader).getUint32(40, true), a.length - 44, "data size");
    assert.equal(view(aHeader).getUint32(4, true), a.length - 8, "RIFF size");
    assert.equal(view(bHeader).getUint32(40, true), b.length - 44);
    const file = a.slice();
    file.set(aHeader);
    // `sox --i` reads a file's header alone, as a player does before it plays.
    const path = await Deno.makeTempFile({ suffix: ".wav" });
    let info: string;
    try {
      await Deno.writeFile(path, file);
      info = new TextDecoder().decode(await sox(["--i", path]));
    } finally {
      await Deno.remove(path);
    }
    assert.match(info, new RegExp(`Sample Rate\\s*: ${rate}\\b`));
    assert.match(info, /Channels\s*: 2\b/);
    // Ended with the call, from the timeline's start (the recorder was made at 0).
    const frames = (a.length - 44) / 4;
    assert.equal(
      frames,
      Math.round(closedAt * rate / 1000),
      `${frames} frames, closed at ${closedAt}`,
    );

    // Read back by sox (its own WAV reader), each channel.
    const channel = async (bytes: Uint8Array, n: 1 | 2) =>
      samplesOf(await sox(["-t", "wav", "-", ...rawPcm(rate), "-", "remix", String(n)], bytes));
    const [caller, bot] = [await channel(file, 1), await channel(file, 2)];
    assert.deepEqual([caller, bot], parseWav(file).samples, "sox reads what the header says");

    // The bot's side: what the far end played, decoded and resampled by sox.
    const heard = samplesOf(
      await sox(["-t", "ul", "-r", "8000", "-c", "1", "-", ...rawPcm(rate), "-"], farEnd.heard),
    );
    const edges = [first.at, first.at + first.ms, second.at, second.at + second.ms];
    assert.deepEqual(departures(bot, heard, rate, edges), []);
    // Exactly silent where nothing played (a resampler's tail, 3 ms at most, aside).
    const perMs = rate / 1000;
    const silent = (from: number, to: number) =>
      bot.subarray(Math.round(from * perMs), Math.round(to * perMs)).every((s) => s === 0);
    assert.ok(silent(0, first.at - 3), "nothing before the first answer");
    assert.ok(
      silent(first.at + first.ms + 3, second.at - 3),
      "nothing of the cut answer after the clear",
    );
    assert.ok(silent(second.at + second.ms + 3, closedAt), "nothing after the second answer");
    const inside = bot.subarray(
      Math.round((first.at + 20) * perMs),
      Math.round((first.at + 780) * perMs),
    );
    assert.ok(Math.abs(frequency(inside, rate) - BOT_HZ) < 5, `${frequency(inside, rate)} Hz`);

    // The caller's side: 1 s of tone where it was spoken (media timestamps 0-1000 ms), silence
    // after; no hole in it.
    const talk = caller.subarray(Math.round(20 * perMs), Math.round(980 * perMs));
    assert.ok(Math.abs(frequency(talk, rate) - CALLER_HZ) < 3, `${frequency(talk, rate)} Hz`);
    const callerEnvelope = envelope(caller, rate, 5);
    const holes = callerEnvelope.flatMap((rms, w) =>
      (w * 5 >= 10 && w * 5 < 990 && Math.abs(20 * Math.log10(rms / TONE_RMS)) > 1) ? [w * 5] : []
    );
    assert.deepEqual(holes, [], "the caller's tone, whole");
    // Silent after it: the resamplers' ring after the tone stopped dies down within 100 ms.
    const after = (ms: number) => caller.subarray(Math.round(ms * perMs));
    assert.ok(after(1010).every((s) => Math.abs(s) <= 8), "the caller nearly silent after 10 ms");
    assert.ok(after(1100).every((s) => s === 0), "the caller silent after speaking");

    // The recorder made at 1.5 s and stopped at 2.7 s: the same call over its time, sample for
    // sample once its resamplers have forgotten starting mid-answer (100 ms).
    const later = parseWav(b);
    assert.equal(later.samples[0]!.length, Math.round(1200 * perMs));
    const offset = Math.round(1500 * perMs);
    let worst = 0;
    for (let i = Math.round(100 * perMs); i < later.samples[1]!.length; i++) {
      worst = Math.max(worst, Math.abs(later.samples[1]![i]! - bot[offset + i]!));
      worst = Math.max(worst, Math.abs(later.samples[0]![i]! - caller[offset + i]!));
    }
    assert.ok(worst <= 1, `the later recorder departs by ${worst}`);
  });
}
