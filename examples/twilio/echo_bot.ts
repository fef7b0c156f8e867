/**
 * The bot of the Twilio example: it repeats what the caller says and answers each keypad press
 * with a short beep. A `TransformStream` from inbound frames to outbound frames, so it sits
 * between `transport.readable` and `transport.writable`.
 *
 * @module
 */

import type { AudioFrame, Frame } from "@x/ws-transport";
import { durationMs } from "@x/ws-transport/audio";

/** Options for {@linkcode echoBot}. */
export interface EchoBotOptions {
  /**
   * The sample rate of the beep (the transport's output rate).
   *
   * @default {16000}
   */
  sampleRate?: number;
  /**
   * Beep pitch in Hz.
   *
   * @default {880}
   */
  beepHz?: number;
  /**
   * Beep length in milliseconds.
   *
   * @default {150}
   */
  beepMs?: number;
  /** Called with each frame that is not audio (start, dtmf, marks, end), e.g. to log it. */
  onEvent?: (frame: Frame) => void;
}

/**
 * A stream that echoes inbound audio and turns each DTMF digit into a beep followed by a mark
 * named `beep-<digit>` (Twilio says when the beep has played). The beep takes the place of the
 * echo of the audio that comes in while it plays, which is dropped. Other frames are dropped:
 * writing an inbound `end` back would hang up a call that has already ended.
 *
 * @example
 * ```ts
 * import { echoBot } from "./echo_bot.ts";
 * import assert from "node:assert/strict";
 *
 * const out = await Array.fromAsync(
 *   ReadableStream.from([{ type: "dtmf" as const, digit: "5" }]).pipeThrough(echoBot({ beepMs: 20 })),
 * );
 * assert.equal(out[0]?.type, "audio");
 * assert.deepEqual(out[1], { type: "mark", name: "beep-5" });
 * ```
 */
export function echoBot(options: EchoBotOptions = {}): TransformStream<Frame, Frame> {
  const sampleRate = options.sampleRate ?? 16000;
  const beepMs = options.beepMs ?? 150;
  const beep = makeBeep(sampleRate, options.beepHz ?? 880, beepMs);
  // The caller's audio comes in without pause (Twilio streams silence too) and goes out as fast
  // as it plays: a beep added to it would delay every echo after it by the beep's length, for the
  // rest of the call. So as much inbound audio as was beeped is not echoed.
  let unechoedMs = 0;
  return new TransformStream<Frame, Frame>({
    transform(frame, controller) {
      if (frame.type === "audio") {
        const echo = afterMs(frame, unechoedMs);
        unechoedMs = Math.max(0, unechoedMs - durationMs(frame.audio.byteLength, frame));
        if (echo.audio.byteLength > 0) controller.enqueue(echo);
        return;
      }
      options.onEvent?.(frame);
      if (frame.type === "dtmf") {
        unechoedMs += beepMs;
        controller.enqueue(beep);
        controller.enqueue({ type: "mark", name: `beep-${frame.digit}` });
      }
    },
  });
}

/** `frame` without its first `ms` milliseconds (whole samples of every channel). */
function afterMs(frame: AudioFrame, ms: number): AudioFrame {
  if (ms <= 0) return frame;
  const bytes = Math.round((ms * frame.sampleRate) / 1000) * 2 * frame.channels;
  return { ...frame, audio: frame.audio.subarray(Math.min(bytes, frame.audio.byteLength)) };
}

/** A sine beep with 5 ms fades, so it starts and stops without clicks. */
function makeBeep(sampleRate: number, hz: number, ms: number): AudioFrame {
  const count = Math.round((sampleRate * ms) / 1000);
  const fade = Math.round(sampleRate * 0.005);
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    const envelope = Math.min(1, i / fade, (count - 1 - i) / fade);
    samples[i] = Math.round(12000 * envelope * Math.sin((2 * Math.PI * hz * i) / sampleRate));
  }
  return { type: "audio", audio: new Uint8Array(samples.buffer), sampleRate, channels: 1 };
}
