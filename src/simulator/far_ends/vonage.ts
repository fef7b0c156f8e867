/**
 * The Vonage Voice API's WebSocket endpoint (an NCCO `connect` action to a `websocket`), as
 * Vonage's "WebSockets in the Vonage Voice API" guide and its "Play Audio into a WebSocket"
 * tutorial document it (developer.vonage.com):
 *
 * - Vonage's first message is text, `websocket:connected`, carrying the endpoint's
 *   `content-type` (`audio/l16;rate=16000` or `;rate=8000`) and its custom headers; then binary
 *   PCM16 mono little-endian in 20 ms messages (640 bytes at 16 kHz, 320 at 8 kHz); keypad
 *   presses as `websocket:dtmf` (`digit`, `duration`), of the keys 0-9, `*` and `#` only.
 * - It plays binary messages of exactly one 20 ms frame and buffers up to 3,072 of them (about a
 *   minute); at a message of any other size it stops listening and the socket drops (Vonage's
 *   own log, quoted in vocodedev/vocode-core#727: "unexpected frame size 160, when required 320",
 *   "Unexpected error, stop listening"), so the call ends there. It takes
 *   `{"action":"notify","payload":…}` (answered by `websocket:notify` with the same payload once
 *   the audio queued before it has played) and `{"action":"clear"}` (answered by
 *   `websocket:cleared`).
 * - The call ends by the socket closing.
 *
 * The guide does not say whether a notify queued behind cleared audio is still sent: the
 * simulator drops it and the report counts it `dropped`.
 *
 * @module
 */

import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";
import { samplesFromLittleEndian } from "./_json_events.ts";
import { isPhoneDigit } from "../../_keypad_digits.ts";

const MAX_BUFFERED_MESSAGES = 3072;

/** Vonage's side of a WebSocket call leg. */
export class VonageFarEnd implements FarEnd {
  readonly protocol = "vonage";
  readonly caller: { readonly sampleRate: number; readonly frameMs: number };
  readonly playbackRate: number;
  readonly #options: FarEndOptions;
  readonly #frameBytes: number;
  #context!: FarEndContext;
  /** Vonage stopped listening (a wrong-sized frame): nothing the bot sends after it is read. */
  #deaf = false;

  constructor(options: FarEndOptions) {
    const rate = options.sampleRate ?? 16000;
    if (rate !== 8000 && rate !== 16000) {
      throw new RangeError(`Vonage's audio/l16 rate is 8000 or 16000, got ${rate}`);
    }
    this.playbackRate = rate;
    this.caller = { sampleRate: rate, frameMs: 20 };
    this.#frameBytes = (rate / 50) * 2;
    this.#options = options;
  }

  open(context: FarEndContext): void {
    this.#context = context;
    context.send(JSON.stringify({
      event: "websocket:connected",
      "content-type": `audio/l16;rate=${this.playbackRate}`,
      ...this.#options.customParameters,
      ...(this.#options.callId === undefined ? {} : { uuid: this.#options.callId }),
    }));
    context.ready();
  }

  sendAudio(samples: Int16Array): void {
    // PCM16 on a little-endian host: the samples' bytes are the wire's (a copy, the caller's
    // frame buffer is reused).
    this.#context.send(
      new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength).slice(),
    );
  }

  sendDtmf(digit: string): boolean {
    // The guide's `digit` "contains the digit pressed `0-9` `*` or `#`": Vonage sends no A-D.
    if (!isPhoneDigit(digit)) return false;
    this.#context.send(JSON.stringify({ event: "websocket:dtmf", digit, duration: 260 }));
    return true;
  }

  hangUp(): Promise<void> {
    return Promise.resolve(); // the socket closing is the hang-up
  }

  receive(data: string | Uint8Array): void {
    const context = this.#context;
    if (this.#deaf) return;
    if (typeof data !== "string") {
      if (data.length !== this.#frameBytes) {
        this.#deaf = true;
        context.violation(
          "vonage.frame-size",
          `a ${data.length}-byte audio message; Vonage plays ${this.#frameBytes}-byte (20 ms) frames`,
        );
        // Vonage's log at one: "unexpected frame size …, when required …", "Unexpected error, stop
        // listening", and the socket drops (vocode-core#727). What the caller still had to say is
        // the bot's doing.
        return context.endCall("caller", "Vonage stopped listening at a wrong-sized audio frame", {
          brokenRule: "vonage.frame-size",
        });
      }
      const frameMs = 20;
      if (context.queuedMs() / frameMs >= MAX_BUFFERED_MESSAGES) {
        return context.violation(
          "vonage.buffer-full",
          `over ${MAX_BUFFERED_MESSAGES} messages buffered; audio dropped`,
        );
      }
      return context.play(samplesFromLittleEndian(data));
    }
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data);
    } catch {
      return context.violation("vonage.bad-json", `not JSON: ${data.slice(0, 60)}`);
    }
    if (message?.action === "clear") {
      context.clear();
      context.send(JSON.stringify({ event: "websocket:cleared" }));
    } else if (message?.action === "notify") {
      const payload = message.payload;
      context.mark(
        JSON.stringify(payload ?? null),
        "drop",
        () => context.send(JSON.stringify({ event: "websocket:notify", payload })),
      );
    } else {
      context.note(`vonage ${String(message?.action ?? "message")}`);
    }
  }
}
