/**
 * The demo's wideband line on the wire: raw PCM16 (the page's own protocol) plus a clear message.
 *
 * @module
 */

import { type Frame, RawPcmSerializer, type SerializedMessage } from "@x/ws-transport";

/** The text message that tells the page to drop the audio it holds (an interruption). */
export const WIDEBAND_CLEAR = '{"type":"clear"}';

/**
 * The wideband line's serializer: binary messages are PCM16 little-endian mono audio both ways,
 * text messages are JSON, as with {@linkcode RawPcmSerializer} — and an interruption is sent as
 * the text message `{"type":"clear"}`, so the page empties its player at once, as Twilio does on
 * `clear`. Raw PCM has no way to acknowledge playout: what the caller heard is the transport's
 * estimate (pacing plus `playoutDelayMs`).
 *
 * @example An interruption becomes a clear message
 * ```ts
 * import { WIDEBAND_CLEAR, WidebandSerializer } from "./wideband_serializer.ts";
 * import assert from "node:assert/strict";
 *
 * const wideband = new WidebandSerializer();
 * assert.equal(wideband.serialize({ type: "interruption" }), WIDEBAND_CLEAR);
 * const audio = new Uint8Array(640);
 * assert.equal(wideband.serialize({ type: "audio", audio, sampleRate: 16000, channels: 1 }), audio);
 * ```
 */
export class WidebandSerializer extends RawPcmSerializer {
  /** Audio as its bytes, messages as JSON text, an interruption as `{"type":"clear"}`. */
  override serialize(frame: Frame): SerializedMessage | null {
    if (frame.type === "interruption") return WIDEBAND_CLEAR;
    return super.serialize(frame);
  }
}
