/**
 * Telnyx media streaming with bidirectional RTP (`stream_bidirectional_mode: "rtp"`), as
 * Telnyx's "Stream call media over WebSocket" AsyncAPI reference documents it
 * (developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket):
 *
 * - Telnyx sends `connected` (`version`), `start` (`stream_id`, `start.call_control_id`,
 *   `client_state`, `custom_parameters`, `media_format` with `encoding`, `sample_rate`,
 *   `channels`), `media` (base64 RTP payload, `track`, `chunk`, `timestamp`, string
 *   `sequence_number`s), `dtmf`, `mark`, `error` and `stop`.
 * - It accepts `media` (`media.payload`: RTP payload in the stream's codec, "20 milliseconds to
 *   30 seconds of audio" per message), `mark` (sent back once played) and `clear`.
 * - Codecs: PCMU and PCMA at 8 kHz, L16 at 16 kHz (network byte order, as RTP carries it).
 *
 * The reference does not say what becomes of marks queued behind cleared audio: the simulator
 * drops them (they never played), and the report counts them as cleared.
 *
 * @module
 */

import { alawDecode, alawEncode, mulawDecode, mulawEncode } from "../../audio/g711.ts";
import { toBase64 } from "../_base64.ts";
import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";
import { hexId, markName, mediaBytes, readEvent } from "./_json_events.ts";

type Codec = "PCMU" | "PCMA" | "L16";
const RATES: Record<Codec, number> = { PCMU: 8000, PCMA: 8000, L16: 16000 };

/** Telnyx's side of a bidirectional media stream. */
export class TelnyxFarEnd implements FarEnd {
  readonly protocol = "telnyx";
  readonly caller: { readonly sampleRate: number; readonly frameMs: number };
  readonly playbackRate: number;
  readonly #codec: Codec;
  readonly #options: FarEndOptions;
  readonly #streamId: string;
  readonly #callControlId: string;
  #context!: FarEndContext;
  #sequence = 0;
  #chunk = 0;

  constructor(options: FarEndOptions) {
    const codec = (options.encoding ?? "PCMU").toUpperCase();
    if (codec !== "PCMU" && codec !== "PCMA" && codec !== "L16") {
      throw new RangeError(`Telnyx encoding must be PCMU, PCMA or L16, got ${options.encoding}`);
    }
    this.#codec = codec;
    this.playbackRate = RATES[codec];
    this.caller = { sampleRate: this.playbackRate, frameMs: 20 };
    this.#options = options;
    this.#streamId = options.streamId ?? crypto.randomUUID().toUpperCase();
    this.#callControlId = options.callId ?? `v3:${hexId("", 40)}`;
  }

  open(context: FarEndContext): void {
    this.#context = context;
    this.#send({ event: "connected", version: "1.0.0" });
    this.#send({
      event: "start",
      sequence_number: this.#next(),
      start: {
        user_id: crypto.randomUUID(),
        call_control_id: this.#callControlId,
        call_session_id: crypto.randomUUID(),
        from: this.#options.from ?? "+15550100001",
        to: this.#options.to ?? "+15550100002",
        client_state: "",
        custom_parameters: this.#options.customParameters ?? {},
        media_format: { encoding: this.#codec, sample_rate: this.playbackRate, channels: 1 },
      },
      stream_id: this.#streamId,
    });
    context.ready();
  }

  sendAudio(samples: Int16Array): void {
    this.#chunk++;
    this.#send({
      event: "media",
      sequence_number: this.#next(),
      media: {
        track: "inbound",
        chunk: String(this.#chunk),
        timestamp: String((this.#chunk - 1) * this.caller.frameMs),
        payload: toBase64(this.#encode(samples)),
      },
      stream_id: this.#streamId,
    });
  }

  sendDtmf(digit: string): boolean {
    this.#send({
      event: "dtmf",
      stream_id: this.#streamId,
      sequence_number: this.#next(),
      dtmf: { digit },
    });
    return true;
  }

  hangUp(): Promise<void> {
    this.#send({
      event: "stop",
      sequence_number: this.#next(),
      stop: { call_control_id: this.#callControlId },
      stream_id: this.#streamId,
    });
    return Promise.resolve();
  }

  receive(data: string | Uint8Array): void {
    const context = this.#context;
    const message = readEvent(data, context, "telnyx");
    if (!message) return;
    switch (message.event) {
      case "clear":
        return context.clear();
      case "mark": {
        const name = markName(message, context, "telnyx.bad-mark");
        if (name === undefined) return;
        return context.mark(name, "drop", () =>
          this.#send({
            event: "mark",
            sequence_number: this.#next(),
            stream_id: this.#streamId,
            mark: { name },
          }));
      }
      case "media": {
        const bytes = mediaBytes(message, context, "telnyx.bad-media");
        if (bytes === null) return;
        const samples = this.#decode(bytes);
        const ms = (samples.length * 1000) / this.playbackRate;
        if (ms < 20 || ms > 30_000) {
          context.violation(
            "telnyx.chunk-size",
            `a media message of ${ms} ms; Telnyx takes 20 ms to 30 s`,
          );
        }
        return context.play(samples);
      }
      default:
        context.violation(
          "telnyx.unknown-event",
          `Telnyx takes media, mark and clear, not "${message.event}"`,
        );
    }
  }

  #encode(samples: Int16Array): Uint8Array {
    if (this.#codec === "PCMU") return mulawEncode(samples);
    if (this.#codec === "PCMA") return alawEncode(samples);
    const out = new Uint8Array(samples.length * 2);
    const view = new DataView(out.buffer);
    for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, false);
    return out;
  }

  #decode(bytes: Uint8Array): Int16Array {
    if (this.#codec === "PCMU") return mulawDecode(bytes);
    if (this.#codec === "PCMA") return alawDecode(bytes);
    if (bytes.length % 2 !== 0) {
      this.#context.violation("telnyx.bad-media", `L16 payload of ${bytes.length} bytes (odd)`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Int16Array(bytes.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, false);
    return out;
  }

  #next(): string {
    return String(++this.#sequence);
  }

  #send(message: unknown): void {
    this.#context.send(JSON.stringify(message));
  }
}
