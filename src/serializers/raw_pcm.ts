/**
 * The simplest wire protocol: binary messages are raw PCM16 audio, text messages are JSON app
 * messages. What a browser page or a plain WebSocket client speaks most easily.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import { toJson } from "./_to_json.ts";
import { JsonReader } from "./telephony/json_reader.ts";
import type { AudioFrame, Frame, MessageFrame } from "../frames.ts";
import type { FrameSerializer, SerializedMessage, SerializerAudioSetup } from "../serializer.ts";

/**
 * Binary messages ⇄ audio frames at the transport's input rate and channels; text messages ⇄
 * message frames as JSON. Outbound audio goes as its bytes; message frames as JSON text; every
 * other frame kind has no words in this protocol and sends nothing.
 *
 * @example Reading one binary and one text message
 * ```ts
 * import { RawPcmSerializer } from "@x/ws-transport";
 * import assert from "node:assert/strict";
 *
 * const serializer = new RawPcmSerializer();
 * serializer.setup({ inputSampleRate: 16000, inputChannels: 1, outputSampleRate: 24000, outputChannels: 1 });
 * const audio = serializer.deserialize(new Uint8Array(640));
 * assert.deepEqual(audio, { type: "audio", audio: new Uint8Array(640), sampleRate: 16000, channels: 1 });
 * assert.deepEqual(serializer.deserialize('{"hello":1}'), { type: "message", message: { hello: 1 } });
 * assert.equal(serializer.serialize({ type: "message", message: { ok: true } }), '{"ok":true}');
 * ```
 */
export class RawPcmSerializer implements FrameSerializer {
  #sampleRate = 16000;
  #channels = 1;

  /** Takes the inbound rate and channels from the transport. */
  setup(audio: SerializerAudioSetup): void {
    this.#sampleRate = audio.inputSampleRate;
    this.#channels = audio.inputChannels;
  }

  /** Audio as its bytes, messages as JSON text, anything else as nothing. */
  serialize(frame: Frame): SerializedMessage | null {
    if (frame.type === "audio") return frame.audio;
    if (frame.type === "message") return toJson(frame.message);
    return null;
  }

  /** Bytes as an audio frame (whole sample frames only), text as a JSON message frame. */
  deserialize(data: string | Uint8Array): AudioFrame | MessageFrame | null {
    if (typeof data === "string") {
      return { type: "message", message: JsonReader.parseValue(data, "RawPcmSerializer") };
    }
    if (data.length === 0) return null;
    const frameBytes = this.#channels * 2;
    if (data.length % frameBytes !== 0) {
      throw new TransportError(
        "decode",
        `binary message of ${data.length} bytes is not whole PCM16 sample frames of ${frameBytes} bytes`,
      );
    }
    return { type: "audio", audio: data, sampleRate: this.#sampleRate, channels: this.#channels };
  }
}
