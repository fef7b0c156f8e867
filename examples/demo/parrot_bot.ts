/**
 * The demo's barge-in bot: a parrot that says each of the caller's phrases back.
 *
 * @module
 */

import {
  BargeInStream,
  type Frame,
  type InterruptResult,
  type StartFrame,
  type WebSocketTransport,
} from "@x/ws-transport";
import { PhraseBuffer } from "./_phrase_buffer.ts";

/** The parrot hears and speaks 16 kHz mono PCM16: the transport's `audioIn` and `audioOut`. */
export const PARROT_SAMPLE_RATE = 16000;
/** Replies leave in whole blocks of this many ms, the transport's `audioOut.chunkMs`. */
const BLOCK_MS = 20;
const BYTES_PER_MS = (PARROT_SAMPLE_RATE * 2) / 1000;

/** What the parrot did, as it did it (for the page's view of the session). */
export type ParrotEvent =
  | {
    /** The caller started talking (`speaking: true`) or stopped (`false`). */
    type: "caller";
    speaking: boolean;
    /** When, on the transport's clock (the detector reports it `minSpeechMs` or `minSilenceMs` later). */
    at: number;
    /** For a stop: how long the caller spoke, in ms. */
    durationMs?: number;
  }
  | {
    /** The parrot began a reply: a new response. */
    type: "reply";
    responseId: string;
    /** How long the reply is, in ms. */
    durationMs: number;
  }
  | {
    /** The caller talked over a reply and the parrot was interrupted. */
    type: "bargein";
    /** What `transport.interrupt()` said the caller heard, and what it dropped. */
    result: InterruptResult;
    /** How long the interrupted reply was, in ms (when it was the parrot's). */
    responseMs: number | undefined;
  }
  | {
    /** The far end's `start` (Twilio's start message): stream and call ids, custom parameters. */
    type: "start";
    frame: StartFrame;
  };

/** Options for {@linkcode runParrot}. */
export interface ParrotOptions {
  /**
   * How long the caller must talk before it counts as speech: a barge-in stops the parrot this
   * long after the caller starts talking over it (plus one chunk).
   *
   * @default {150}
   */
  minSpeechMs?: number;
  /**
   * How long the caller must be quiet before their phrase is over and the parrot says it back.
   *
   * @default {600}
   */
  minSilenceMs?: number;
  /**
   * The longest reply, in ms: of a longer phrase, the last this many ms are said back.
   *
   * @default {8000}
   */
  maxPhraseMs?: number;
  /**
   * Audio kept before the detected start of a phrase and after its end, in ms, so soft onsets
   * and trailing sounds are said back too.
   *
   * @default {100}
   */
  marginMs?: number;
  /**
   * Told of each thing the parrot does.
   *
   * @default {() => {}}
   */
  onEvent?: (event: ParrotEvent) => void;
}

/** What a parrot session did, for a one-line log when it ends. */
export interface ParrotSummary {
  /** Phrases the caller said (speech detector stops). */
  phrases: number;
  /** Replies begun. */
  replies: number;
  /** Replies the caller talked over. */
  bargeIns: number;
}

/**
 * Runs the parrot on a session until it ends: the caller speaks and pauses; once a
 * `SpeechDetector` (inside a `BargeInStream`) has heard `minSilenceMs` of quiet, the parrot says
 * the phrase back as a new response (`responseId` `parrot-1`, `parrot-2`, …). When the caller
 * talks over a reply, the `BargeInStream` calls `transport.interrupt()`: the queued audio is
 * dropped and the far end cleared at once.
 *
 * The reply is written as a TTS stream would be, as fast as the transport takes it, and the
 * parrot does not stop writing when it is interrupted (a TTS stream is often slow to cancel):
 * the transport's stale-audio gate drops the rest of the interrupted response, counted in
 * `transport.stats.audioBytesStale` and reported once by a "staleaudio" event.
 *
 * The transport must carry 16 kHz mono audio both ways (`audioIn` and `audioOut`), in 20 ms
 * chunks.
 *
 * @example The parrot on an in-memory socket
 * ```ts
 * import { runParrot } from "./parrot_bot.ts";
 * import { WebSocketTransport } from "@x/ws-transport";
 * import { MemorySocketPair } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * const { server, client } = new MemorySocketPair();
 * const transport = new WebSocketTransport(server, { audioOut: { sampleRate: 16000, chunkMs: 20 } });
 * const parrot = runParrot(transport);
 * client.close(1000);
 * assert.deepEqual(await parrot, { phrases: 0, replies: 0, bargeIns: 0 });
 * ```
 */
export async function runParrot(
  transport: WebSocketTransport,
  options: ParrotOptions = {},
): Promise<ParrotSummary> {
  const {
    minSpeechMs = 150,
    minSilenceMs = 600,
    maxPhraseMs = 8000,
    marginMs = 100,
    onEvent = () => {},
  } = options;
  const clock = transport.clock;
  const summary: ParrotSummary = { phrases: 0, replies: 0, bargeIns: 0 };
  // The phrase, its margins and the silence that ended it, with a second to spare.
  const heard = new PhraseBuffer(
    PARROT_SAMPLE_RATE,
    maxPhraseMs + 2 * marginMs + minSilenceMs + 1000,
  );
  /** How long each recent reply is, by response id, for "heard 1.3 s of 2.8 s". */
  const replyMs = new Map<string, number>();
  /** The replies still being written: the session's end waits for them. */
  const writers = new Set<Promise<void>>();
  let speechStartMs: number | undefined;
  let over = false;

  /** The clock time of a point `atMs` on the audio's timeline (the audio is real time). */
  const clockTime = (atMs: number) => clock.now() - (heard.timeMs - atMs);

  const reply = (fromMs: number, toMs: number) => {
    // A longer phrase is said back from its last `maxPhraseMs`: the ring still holds those
    // (its start may be long gone).
    const pcm = heard.slice(Math.max(fromMs, toMs - maxPhraseMs), toMs, BLOCK_MS);
    if (pcm.length === 0) return;
    const responseId = `parrot-${++summary.replies}`;
    const durationMs = pcm.length / BYTES_PER_MS;
    replyMs.set(responseId, durationMs);
    if (replyMs.size > 16) replyMs.delete(replyMs.keys().next().value!);
    onEvent({ type: "reply", responseId, durationMs });
    const writer = speak(responseId, pcm);
    writers.add(writer);
    // A reply written is let go of: a long session keeps no promise per reply it made.
    writer.finally(() => writers.delete(writer));
  };

  const speak = async (responseId: string, pcm: Uint8Array) => {
    const block = BLOCK_MS * BYTES_PER_MS;
    // Not once the session is closing (the caller hung up, or it ended): what the transport
    // still held was dropped then and counted once; the rest of the reply, sent after, would be
    // dropped too, counted again and never played. `connected` turns false as the close begins;
    // `over` only once the readable has ended, a turn later.
    for (let at = 0; at < pcm.length && !over && transport.connected; at += block) {
      const wait = transport.send({
        type: "audio",
        audio: pcm.subarray(at, at + block),
        sampleRate: PARROT_SAMPLE_RATE,
        channels: 1,
        responseId,
      });
      // The transport holds a fast writer back to real time (plus `maxQueuedMs`); an
      // interruption empties its queue and wakes us, and what we write then is dropped as stale.
      if (wait) await wait;
    }
  };

  // The tap keeps the audio before the detector sees it, so a phrase is whole when its end is
  // reported (the detector reports while the frame that completed it passes). Once the caller
  // has hung up (an `end` frame, or the socket closed) the detector's last stop is not answered.
  const tap = new TransformStream<Frame, Frame>({
    transform(frame, controller) {
      if (frame.type === "audio") heard.push(frame.audio);
      else if (frame.type === "start") onEvent({ type: "start", frame });
      else if (frame.type === "end") over = true;
      controller.enqueue(frame);
    },
    flush() {
      over = true;
    },
  });
  const bargeIn = new BargeInStream(transport, {
    minSpeechMs,
    minSilenceMs,
    onSpeech(event) {
      if (event.type === "speechstart") {
        speechStartMs = event.atMs;
        onEvent({ type: "caller", speaking: true, at: clockTime(event.atMs) });
        return;
      }
      summary.phrases++;
      const startMs = speechStartMs ?? event.atMs - event.durationMs;
      speechStartMs = undefined;
      onEvent({
        type: "caller",
        speaking: false,
        at: clockTime(event.atMs),
        durationMs: event.durationMs,
      });
      if (!over) reply(startMs - marginMs, event.atMs + Math.min(marginMs, minSilenceMs));
    },
    onBargeIn(result) {
      summary.bargeIns++;
      const responseMs = result.responseId === undefined
        ? undefined
        : replyMs.get(result.responseId);
      onEvent({ type: "bargein", result, responseMs });
    },
  });

  try {
    // Nothing to do with the frames themselves: the callbacks above act as they pass.
    for await (const _ of transport.readable.pipeThrough(tap).pipeThrough(bargeIn));
  } finally {
    over = true;
    await Promise.all(writers);
  }
  return summary;
}
