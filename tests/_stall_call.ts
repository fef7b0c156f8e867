/**
 * A raw PCM session on a clock whose event loop can stall ({@linkcode StallClock}), with a far end
 * that plays what arrives as it arrives (no jitter buffer): the estimate of a protocol without
 * acknowledgements, against what the caller really heard, for the stall tests.
 *
 * @module
 */

import {
  type AudioFrame,
  type OutboundAudioInfo,
  type OutboundMixer,
  type PlayoutMoveInfo,
  RawPcmSerializer,
  type SessionObserver,
  WebSocketTransport,
} from "../mod.ts";
import { MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd } from "./_fake_far_end.ts";
import { type SerializeStall, withSerializeStalls } from "./_serialize_stalls.ts";
import { StallClock } from "./_stall_clock.ts";

export type { SerializeStall };

/** 16 kHz mono PCM16. */
export const BYTES_PER_MS = 32;

/** `ms` of the bot's 16 kHz reply, every byte 7 (`FakeFarEnd.playedMs(7)`), tagged if given. */
export function replyAudio(ms: number, responseId?: string): AudioFrame {
  return {
    type: "audio",
    audio: new Uint8Array(BYTES_PER_MS * ms).fill(7),
    sampleRate: 16000,
    channels: 1,
    ...(responseId === undefined ? {} : { responseId }),
  };
}

/** The session's outbound settings (the transport's defaults where unset). */
export interface StallCallOptions {
  chunkMs: number;
  sendAheadMs?: number | undefined;
  endSilenceMs?: number | undefined;
  /**
   * The serializer works `ms` (the event loop blocked) on the `chunk`th audio chunk (from 1); a
   * list for several such stalls in one call.
   */
  serializeStall?: SerializeStall | readonly SerializeStall[] | undefined;
  /** Background audio under the speech and through its silences. */
  background?: OutboundMixer | undefined;
  /** Binary audio cut into packets of this many bytes. */
  fixedAudioPacketSize?: number | undefined;
}

/**
 * The session, its far end, `say(ms, responseId?)` for the bot, `replyPlayed()`, and when the far
 * end was closed.
 */
export function stallCall(
  { chunkMs, sendAheadMs, endSilenceMs, serializeStall, background, fixedAudioPacketSize }:
    StallCallOptions,
) {
  const clock = new StallClock(1000);
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: serializeStall === undefined
      ? new RawPcmSerializer()
      : withSerializeStalls(new RawPcmSerializer(), clock, serializeStall),
    audioOut: { sampleRate: 16000, chunkMs },
    maxQueuedMs: 60_000,
    clock,
    ...(sendAheadMs === undefined ? {} : { sendAheadMs }),
    ...(endSilenceMs === undefined ? {} : { endSilenceMs }),
    ...(background === undefined ? {} : { background }),
    ...(fixedAudioPacketSize === undefined ? {} : { fixedAudioPacketSize }),
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 0, bytesPerMs: BYTES_PER_MS });
  let closedAt = NaN;
  pair.client.addEventListener("close", () => (closedAt = clock.now()));
  transport.receive(() => {});
  const say = (ms: number, responseId?: string) => transport.send(replyAudio(ms, responseId));
  /** A 1 s reply played out, the session then closed: when the far end played each chunk of it. */
  const replyPlayed = async (): Promise<number[]> => {
    await clock.tick(0);
    say(1000);
    await clock.tick(3000);
    pair.client.close(1000);
    await transport.closed;
    return farEnd.played.filter((p) => p.value === 7).map((p) => p.at);
  };
  return { clock, pair, transport, farEnd, say, replyPlayed, closedAt: () => closedAt };
}

/** What observers were told of each chunk, with the moves they were told applied as told. */
export function toldPlaces() {
  const told: OutboundAudioInfo[] = [];
  const moves: PlayoutMoveInfo[] = [];
  const observer: SessionObserver = {
    outboundAudio: (_chunk, info) => void told.push({ ...info }),
    playoutMoved: (info) => {
      moves.push(info);
      for (const chunk of told) {
        if (chunk.position >= info.position - 1e-6) {
          chunk.playsAt = info.playsAt + (chunk.position - info.position);
        }
      }
    },
  };
  return { told, moves, observer };
}

/** The bot's (right) channel of a stereo 16 kHz WAV: its stretches that are not silent, in ms. */
export function botRuns(wav: ArrayBuffer): string[] {
  const samples = new Int16Array(wav, 44);
  const runs: string[] = [];
  let start = -1;
  for (let i = 1; i < samples.length; i += 2) {
    const ms = (i - 1) / 2 / 16;
    if (samples[i] !== 0 && start < 0) start = ms;
    if (samples[i] === 0 && start >= 0) runs.push(`${start}-${ms}`), start = -1;
  }
  if (start >= 0) runs.push(`${start}-end`);
  return runs;
}
