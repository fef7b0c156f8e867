/**
 * The bot of the Twilio example: it repeats what the caller says and answers each keypad press
 * with a short beep. A `TransformStream` from inbound frames to outbound frames, so it sits
 * between `transport.readable` and `transport.writable`.
 *
 * @module
 */

import type { AudioFrame, Frame } from "@x/ws-transport";

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
 * named `beep-<digit>` (Twilio says when the beep has played). Other frames are dropped: writing
 * an inbound `end` back would hang up a call that has already ended.
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
  const beep = makeBeep(sampleRate, options.beepHz ?? 880, options.beepMs ?? 150);
  return new TransformStream<Frame, Frame>({
    transform(frame, controller) {
      if (frame.type === "audio") {
        controller.enqueue(frame);
        return;
      }
      options.onEvent?.(frame);
      if (frame.type === "dtmf") {
        controller.enqueue(beep);
        controller.enqueue({ type: "mark", name: `beep-${frame.digit}` });
      }
    },
  });
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
