/**
 * Plivo audio streams, bidirectional (`<Stream bidirectional="true">`), as Plivo's "Stream
 * Event Protocol" and "Audio Streaming Protocol Reference" pages document them:
 *
 * - Plivo sends `start` (`start.callId`, `streamId`, `accountId`, `tracks`, `mediaFormat` with
 *   `encoding` and `sampleRate`: `audio/x-l16` at 8000 unless the `<Stream>`'s `contentType` asks
 *   for another; the `<Stream>`'s `extraHeaders` as `extra_headers`,
 *   `"k1=v1;k2=v2"`), `media` (`sequenceNumber` and `chunk` numbers, `timestamp` in epoch
 *   milliseconds as a string), `dtmf`, `playedStream` (a checkpoint has played) and
 *   `clearedAudio`.
 * - It accepts `playAudio` (`media.contentType` `audio/x-mulaw` at 8000 or `audio/x-l16` at 8000
 *   or 16000, `media.sampleRate`, base64 `media.payload`; no `streamId` in its documentation, so
 *   one is checked only when given), `checkpoint` (`name`; answered by `playedStream` once the
 *   audio before it has played) and `clearAudio` (answered by `clearedAudio`), each of these two
 *   with the `streamId`.
 * - A stream ends when the call does: Plivo reports it by HTTP callback and closes the socket;
 *   the socket carries no stop message.
 *
 * The pages do not say what becomes of checkpoints queued behind cleared audio: the simulator
 * drops them (they never played), and the report counts them `dropped`.
 *
 * @module
 */

import { counted } from "../_counted.ts";
import { mulawDecode, mulawEncode } from "../../audio/g711.ts";
import { Resampler } from "../../audio/resampler.ts";
import { fromBase64, toBase64 } from "../_base64.ts";
import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";
import { littleEndianBytes, objectAt, readEvent, samplesFromLittleEndian } from "./_json_events.ts";
import { EncodingRates } from "./_encoding_rates.ts";

const MULAW = "audio/x-mulaw";
const L16 = "audio/x-l16";
/**
 * The rates of each encoding: the `<Stream>`'s `contentType` takes `audio/x-l16;rate=8000` (its
 * default), `audio/x-l16;rate=16000` or `audio/x-mulaw;rate=8000` (Plivo's "Audio Stream" XML
 * reference, docs.plivo.com/docs/voice/xml/audiostream, its attributes table).
 */
const RATES = new EncodingRates("Plivo", { [MULAW]: [8000], [L16]: [8000, 16000] });

/** Plivo's side of a bidirectional audio stream. */
export class PlivoFarEnd implements FarEnd {
  readonly protocol = "plivo";
  readonly caller: { readonly sampleRate: number; readonly frameMs: number };
  readonly playbackRate: number;
  readonly #encoding: string;
  readonly #options: FarEndOptions;
  readonly #streamId: string;
  readonly #callId: string;
  readonly #resamplers = new Map<number, Resampler>();
  #context!: FarEndContext;
  #sequence = 0;
  #chunk = 0;
  /**
   * The epoch time (ms) of the call's time 0: media timestamps are that plus the call's clock,
   * so they advance with the call (a fake clock's included), not with the wall clock.
   */
  #epochMs = 0;

  constructor(options: FarEndOptions) {
    // A `<Stream>` without a `contentType` streams L16 at 8 kHz (the attributes table's
    // "Default: audio/x-l16;rate=8000"); μ-law is the bot's to ask for.
    const encoding = options.encoding ?? L16;
    const rate = options.sampleRate ?? 8000;
    if (!RATES.streams(encoding, rate)) throw new RangeError(RATES.refusal(encoding, rate));
    this.#encoding = encoding;
    this.playbackRate = rate;
    this.caller = { sampleRate: rate, frameMs: 20 };
    this.#options = options;
    this.#streamId = options.streamId ?? crypto.randomUUID();
    this.#callId = options.callId ?? crypto.randomUUID();
  }

  /**
   * Plivo's rate comes with its `contentType`: a rate this encoding has no form at is another
   * encoding's (16000: `audio/x-l16`, which the far end made without the rate can name).
   */
  optionsForRate(rate: number): FarEndOptions[] {
    return RATES.optionsForRate(this.#encoding, rate);
  }

  open(context: FarEndContext): void {
    this.#context = context;
    this.#epochMs = Date.now() - context.now();
    this.#send({
      event: "start",
      sequenceNumber: ++this.#sequence,
      start: {
        callId: this.#callId,
        streamId: this.#streamId,
        accountId: "MA" + "0".repeat(18),
        tracks: ["inbound"],
        mediaFormat: { encoding: this.#encoding, sampleRate: this.playbackRate },
      },
      extra_headers: this.#extraHeaders(),
    });
    context.ready();
  }

  sendAudio(samples: Int16Array): void {
    this.#send({
      event: "media",
      sequenceNumber: ++this.#sequence,
      streamId: this.#streamId,
      media: {
        track: "inbound",
        timestamp: String(Math.round(this.#epochMs + this.#context.now())),
        chunk: ++this.#chunk,
        payload: toBase64(
          this.#encoding === MULAW ? mulawEncode(samples) : littleEndianBytes(samples),
        ),
      },
      extra_headers: this.#extraHeaders(),
    });
  }

  sendDtmf(digit: string): boolean {
    this.#send({
      event: "dtmf",
      sequenceNumber: ++this.#sequence,
      streamId: this.#streamId,
      dtmf: { track: "inbound", digit },
    });
    return true;
  }

  hangUp(): Promise<void> {
    return Promise.resolve(); // the socket closing is all Plivo says
  }

  receive(data: string | Uint8Array): void {
    const context = this.#context;
    const message = readEvent(data, context, "plivo");
    if (!message) return;
    const { event } = message;
    if (event !== "playAudio" && event !== "checkpoint" && event !== "clearAudio") {
      return context.note(`plivo ${event}`);
    }
    // `checkpoint` and `clearAudio` carry the stream's id; Plivo's `playAudio` page documents
    // only `event` and `media` (its example has no `streamId`): one that names another stream is
    // refused, one that names none is the documented message.
    const named = event !== "playAudio" || message.streamId !== undefined;
    if (named && message.streamId !== this.#streamId) {
      return context.violation(
        "plivo.stream-id",
        `${event} for stream ${String(message.streamId)}, not ${this.#streamId}`,
      );
    }
    if (event === "clearAudio") {
      context.clear();
      this.#send({
        event: "clearedAudio",
        sequenceNumber: ++this.#sequence,
        streamId: this.#streamId,
      });
      return;
    }
    if (event === "checkpoint") {
      const name = message.name;
      if (typeof name !== "string") {
        return context.violation("plivo.bad-checkpoint", "checkpoint without a name");
      }
      return context.mark(name, "drop", () =>
        this.#send({
          event: "playedStream",
          sequenceNumber: ++this.#sequence,
          streamId: this.#streamId,
          name,
        }));
    }
    const media = objectAt(message, "media") ?? {};
    const { contentType, sampleRate, payload } = media;
    const bytes = typeof payload === "string" ? fromBase64(payload) : null;
    if (!bytes) {
      return context.violation("plivo.bad-media", "playAudio media.payload is not base64");
    }
    let samples: Int16Array;
    if (contentType === MULAW && sampleRate === 8000) samples = mulawDecode(bytes);
    else if (contentType === L16 && (sampleRate === 8000 || sampleRate === 16000)) {
      if (bytes.length % 2 !== 0) {
        context.violation(
          "plivo.bad-media",
          `playAudio L16 of ${counted(bytes.length, "byte")} (odd)`,
        );
      }
      samples = samplesFromLittleEndian(bytes);
    } else {
      return context.violation(
        "plivo.bad-media",
        `playAudio as ${String(contentType)} at ${
          String(sampleRate)
        } Hz; Plivo plays audio/x-mulaw 8000 or audio/x-l16 8000/16000`,
      );
    }
    context.play(this.#toPlaybackRate(samples, sampleRate));
  }

  #toPlaybackRate(samples: Int16Array, rate: number): Int16Array {
    if (rate === this.playbackRate) return samples;
    let resampler = this.#resamplers.get(rate);
    if (!resampler) {
      resampler = new Resampler({ inputRate: rate, outputRate: this.playbackRate });
      this.#resamplers.set(rate, resampler);
    }
    return resampler.process(samples);
  }

  #extraHeaders(): string {
    return Object.entries(this.#options.customParameters ?? {}).map(([k, v]) => `${k}=${v}`).join(
      ";",
    );
  }

  #send(message: unknown): void {
    this.#context.send(JSON.stringify(message));
  }
}
