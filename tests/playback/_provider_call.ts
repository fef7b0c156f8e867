// A real WebSocketTransport with a provider's serializer, talking to that provider's simulated far
// end (src/simulator/far_ends/, written from the provider's documentation) on one FakeClock. The
// far end plays the bot's audio at its real rate and acknowledges marks (checkpoints, notify) the
// way the provider documents; between the two sits a fixed delay each way: everything the bot
// sends waits `jitterMs` before the far end sees it (its jitter buffer and the network), and
// everything the far end sends back waits `returnMs`. The far end's recording of what the caller
// heard is the ground truth the transport's figures are checked against.
import type { Frame } from "../../src/frames.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import type { SpeakingEvent } from "../../src/playback.ts";
import type { TransportError } from "../../src/errors.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import { rtviBotReady } from "../../src/serializers/rtvi.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";
import { DelayedSocket } from "../_delayed_socket.ts";
import {
  type CallReport,
  simulateCall,
  type SimulateCallOptions,
} from "../../src/simulator/mod.ts";
import type { FarEndOptions } from "../../src/simulator/far_end.ts";

/** One provider as the proof drives it. */
export interface ProviderCase {
  /** The far end's name in `FAR_ENDS`. */
  protocol: string;
  serializer: () => FrameSerializer;
  /** The wire rate: the bot writes at it, so no resampler shifts the timeline. */
  rate: number;
  /** The transport's chunk (Exotel needs 3,200-byte chunks: 200 ms at 8 kHz). */
  chunkMs: number;
  platform?: FarEndOptions;
  transport?: TransportOptions;
}

/** Samples of the bot's speech: a constant level the far end's recording tells from silence. */
export const LEVEL = 8000;

/** A call in progress: the bot's transport, what it saw, and the far end's report to come. */
export interface ProviderCall {
  clock: FakeClock;
  transport: WebSocketTransport;
  /** Every frame the bot received, audio aside, with the time. */
  inbound: { at: number; frame: Frame }[];
  /** When each of the far end's messages reached the transport, with its text. */
  arrivals: { at: number; text: string }[];
  events: { type: string; at: number; event: SpeakingEvent }[];
  errors: TransportError[];
  report: Promise<CallReport>;
}

/**
 * Starts a call: the far end connects at once (time 0) and behaves as `call` says (by default a
 * quiet caller who waits); `bot` sees every frame but audio as it arrives.
 */
export function startCall(
  provider: ProviderCase,
  delays: { jitterMs: number; returnMs: number },
  call: Partial<SimulateCallOptions>,
  bot?: (frame: Frame, transport: WebSocketTransport) => void,
): ProviderCall {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: provider.serializer(),
    clock,
    audioIn: { sampleRate: 16000, channels: 1 },
    audioOut: { sampleRate: provider.rate, channels: 1, chunkMs: provider.chunkMs },
    maxQueuedMs: 60_000,
    ...provider.transport,
  });
  const inbound: ProviderCall["inbound"] = [];
  transport.receive((frame) => {
    if (frame.type === "audio") return;
    inbound.push({ at: clock.now(), frame });
    // A pipecat client waits for its bot-ready before it plays anything.
    const ready = rtviBotReady(frame);
    if (ready) void transport.send(ready);
    bot?.(frame, transport);
  });
  const arrivals: ProviderCall["arrivals"] = [];
  pair.server.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data === "string") arrivals.push({ at: clock.now(), text: data });
  });
  const events: ProviderCall["events"] = [];
  for (const type of ["speakingstart", "speakingstop"] as const) {
    transport.addEventListener(type, (event) => events.push({ type, at: clock.now(), event }));
  }
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  const silence = new Uint8Array(2 * 8000 * 20); // 20 s of a quiet caller at 8 kHz
  const report = simulateCall("memory://bot", {
    protocol: provider.protocol,
    platform: provider.platform ?? {},
    clock,
    connect: () =>
      new DelayedSocket(pair.client, clock, {
        receiveMs: delays.jitterMs,
        sendMs: delays.returnMs,
      }),
    audio: { pcm: silence, sampleRate: 8000, speechSegments: [] },
    record: true,
    lingerMs: 60_000,
    maxDurationMs: 30_000,
    ...call,
  });
  return { clock, transport, inbound, arrivals, events, errors, report };
}

/** `ms` of the bot's speech at `rate`, as one frame of response `responseId`. */
export function speech(ms: number, rate: number, responseId: string): Frame {
  const samples = new Int16Array((rate * ms) / 1000).fill(LEVEL);
  return {
    type: "audio",
    audio: new Uint8Array(samples.buffer),
    sampleRate: rate,
    channels: 1,
    responseId,
  };
}

/** What the caller heard, from the far end's stereo recording (right channel). */
export class Heard {
  readonly #samples: Int16Array;
  readonly #rate: number;

  constructor(report: CallReport) {
    const wav = report.recording!;
    const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
    this.#rate = view.getUint32(24, true);
    const frames = (wav.length - 44) / 4;
    this.#samples = new Int16Array(frames);
    for (let i = 0; i < frames; i++) this.#samples[i] = view.getInt16(44 + i * 4 + 2, true);
  }

  /** Milliseconds of the bot's speech the caller had heard by call time `atMs`. */
  msBefore(atMs: number): number {
    const end = Math.min(this.#samples.length, Math.round((atMs * this.#rate) / 1000));
    let count = 0;
    for (let i = 0; i < end; i++) if (Math.abs(this.#samples[i]!) > LEVEL / 2) count++;
    return (count * 1000) / this.#rate;
  }

  /** When the caller heard the last of the bot's speech. */
  get lastSpeechMs(): number {
    for (let i = this.#samples.length - 1; i >= 0; i--) {
      if (Math.abs(this.#samples[i]!) > LEVEL / 2) return ((i + 1) * 1000) / this.#rate;
    }
    return 0;
  }
}
