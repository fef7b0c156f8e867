/**
 * A caller who needs no recording: utterances of a voice-like signal with pauses between them.
 *
 * @module
 */

import { pcm16Bytes } from "../audio/pcm.ts";
import { addVoice } from "./_voice.ts";
import type { CallerPcm } from "./caller_audio.ts";

/** Options for {@linkcode syntheticCaller}. */
export interface SyntheticCallerOptions {
  /**
   * How long each utterance lasts, in milliseconds, in order.
   *
   * @default {[1200, 1600, 900]}
   */
  utterancesMs?: number[];
  /**
   * Silence before the first utterance and after each one, in milliseconds.
   *
   * @default {2500}
   */
  pauseMs?: number;
  /**
   * Sample rate of the audio.
   *
   * @default {16000}
   */
  sampleRate?: number;
}

/**
 * PCM16 mono audio of a caller saying a few things with pauses between them, with its speech
 * segments, ready for `simulateCall`'s `audio` option. It is what the simulator plays when no
 * audio is given. The "speech" is a buzz with a syllable rhythm: any energy-based detector (and
 * most VADs) hear it as talking.
 *
 * @example Three utterances
 * ```ts
 * import { syntheticCaller } from "@x/ws-transport/simulator";
 * import assert from "node:assert/strict";
 *
 * const caller = syntheticCaller({ utterancesMs: [1000, 500], pauseMs: 1000 });
 * assert.deepEqual(caller.speechSegments, [
 *   { startMs: 1000, endMs: 2000 },
 *   { startMs: 3000, endMs: 3500 },
 * ]);
 * assert.equal(caller.sampleRate, 16000);
 * assert.equal((caller.pcm as Uint8Array).length, 16000 * 2 * 4.5);
 * ```
 */
export function syntheticCaller(options: SyntheticCallerOptions = {}): CallerPcm {
  const utterances = options.utterancesMs ?? [1200, 1600, 900];
  const pauseMs = options.pauseMs ?? 2500;
  const sampleRate = options.sampleRate ?? 16000;
  if (!Number.isFinite(pauseMs) || pauseMs < 0) {
    throw new RangeError(`pauseMs must be a non-negative number, got ${pauseMs}`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  }
  if (!Array.isArray(utterances)) {
    throw new TypeError(`utterancesMs must be an array of numbers, got ${typeof utterances}`);
  }
  if (utterances.some((ms) => !Number.isFinite(ms) || ms <= 0)) {
    throw new RangeError(`utterancesMs must be positive numbers, got ${utterances.join(", ")}`);
  }
  const totalMs = pauseMs + utterances.reduce((sum, ms) => sum + ms + pauseMs, 0);
  const samples = new Int16Array(Math.round((totalMs * sampleRate) / 1000));
  const speechSegments = [];
  let at = pauseMs;
  for (const ms of utterances) {
    const offset = Math.round((at * sampleRate) / 1000);
    const count = Math.round((ms * sampleRate) / 1000);
    addVoice(samples, offset, count, sampleRate, { phase: 0, total: count, peak: 0.35 });
    speechSegments.push({ startMs: at, endMs: at + ms });
    at += ms + pauseMs;
  }
  return { pcm: pcm16Bytes(samples), sampleRate, speechSegments };
}
