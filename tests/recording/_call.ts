/**
 * A call on the fake clock for recording tests: a transport, a far end that plays what it gets
 * behind a jitter buffer and acknowledges marks (tests/_fake_far_end.ts), a caller's microphone
 * that sends 20 ms of constant-valued PCM every 20 ms, and a recorder taking it all down.
 *
 * @module
 */

import {
  type AudioFrame,
  CallRecorder,
  type CallRecorderOptions,
  type Frame,
  type OutboundAudioInfo,
  WebSocketTransport,
} from "../../mod.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

/** 16 kHz mono PCM16. */
export const BYTES_PER_MS = 32;
/** The microphone's frame. */
export const MIC_MS = 20;

/**
 * The fake far end's protocol, and inbound audio stamped with its media time: a binary message
 * is a 32-bit little-endian timestamp (ms) and then 16 kHz PCM16.
 */
export class StampedSerializer extends MarkingSerializer {
  override deserialize(data: string | Uint8Array): Frame | null {
    if (typeof data === "string") return super.deserialize(data);
    const timestampMs = new DataView(data.buffer, data.byteOffset).getUint32(0, true);
    return { type: "audio", audio: data.subarray(4), sampleRate: 16000, channels: 1, timestampMs };
  }
}

/** A message for {@linkcode StampedSerializer}: `ms` of PCM of byte `value`, stamped `timestampMs`. */
export function stamped(timestampMs: number, ms: number, value: number): Uint8Array {
  const message = new Uint8Array(4 + ms * BYTES_PER_MS).fill(value);
  new DataView(message.buffer).setUint32(0, timestampMs, true);
  return message;
}

/**
 * Sends packet `k` of `sends` (media [20k, 20k + 20) ms, value 10 + k) at `at`, in the order given,
 * on a call of a {@linkcode StampedSerializer}; then a half second, and the caller hangs up.
 */
export async function sendStamped(
  c: ReturnType<typeof call>,
  sends: { k: number; at: number }[],
): Promise<void> {
  for (const { k, at } of sends) {
    await c.clock.tick(at - c.clock.now());
    c.pair.client.send(stamped(20 * k, 20, 10 + k));
  }
  await c.clock.tick(500);
  await c.hangUp();
}

/** What a test sets up. */
export interface CallSetup {
  jitterMs?: number;
  acks?: boolean;
  /** Bytes per ms of the outbound audio, for the far end (32: 16 kHz mono). */
  outBytesPerMs?: number;
  transport?: TransportOptions;
  recorder?: CallRecorderOptions;
}

/** A call in progress; `mic.value` is the byte the caller's microphone sends (0: none). */
export function call(setup: CallSetup = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(setup.acks ?? true),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
    ...setup.transport,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, {
    jitterMs: setup.jitterMs ?? 100,
    bytesPerMs: setup.outBytesPerMs ?? BYTES_PER_MS,
    acks: setup.acks ?? true,
  });
  const recorder = new CallRecorder({ clock, sampleRate: 16000, ...setup.recorder });
  transport.observe(recorder);
  const mic = { value: 0 };
  /** Lets `ms` pass, the microphone sending a frame at the end of every 20 ms. */
  async function talk(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += MIC_MS) {
      await clock.tick(MIC_MS);
      if (mic.value !== 0 && pair.client.readyState === 1) {
        pair.client.send(new Uint8Array(MIC_MS * BYTES_PER_MS).fill(mic.value));
      }
    }
  }
  async function hangUp(): Promise<void> {
    pair.client.close(1000);
    await transport.closed;
  }
  return { clock, pair, transport, farEnd, recorder, mic, talk, hangUp };
}

/** `ms` of bot audio whose every byte is `value`, of response `responseId`. */
export function speech(ms: number, value: number, responseId: string): AudioFrame {
  return {
    type: "audio",
    audio: new Uint8Array(ms * BYTES_PER_MS).fill(value),
    sampleRate: 16000,
    channels: 1,
    responseId,
  };
}

/** Everything a stream yields, joined. */
export async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** 16-bit mono `samples` at `sampleRate` as an audio frame (a view of them). */
export function pcmFrame(samples: Int16Array, sampleRate: number): AudioFrame {
  const audio = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  return { type: "audio", audio, sampleRate, channels: 1 };
}

/**
 * What a transport tells an observer of a 20 ms speech chunk at `position` (ms on the outbound
 * timeline) that left at its `deadline` and plays then, a network of no delay.
 */
export function toldChunk(position: number, deadline: number): OutboundAudioInfo {
  return { position, durationMs: 20, playsAt: deadline, deadline, sentAt: deadline, speech: true };
}
