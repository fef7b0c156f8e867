/**
 * Twilio Media Streams, bidirectional (`<Connect><Stream>`), as Twilio's "Media Streams -
 * WebSocket Messages" page documents it (twilio.com/docs/voice/media-streams/websocket-messages):
 *
 * - Twilio sends `connected`, then `start` (stream and call SIDs, `tracks`, `customParameters`
 *   from `<Parameter>`, `mediaFormat` audio/x-mulaw 8000 mono), then `media` every 20 ms
 *   (160 bytes of μ-law; `sequenceNumber`, `chunk` and `timestamp` are strings, counted from 1
 *   and from the stream's start), `dtmf` (`track: "inbound_track"`), `mark` and finally `stop`.
 * - It accepts `media` (base64 audio/x-mulaw 8000, no file headers), `mark` (echoed back once the
 *   audio sent before it has played) and `clear` (empties the buffer; marks of the cleared audio
 *   come back at once), each with the stream's SID. Telnyx and Exotel repeat this message set:
 *   the three share its reading and numbering (`_media_stream_events.ts`).
 * - Error 31924 "Stream - WebSocket - Protocol Error": any other message, or a malformed one.
 *   Warning 31931 "Stream - Media - Media Discarded": more than 10 minutes of audio buffered;
 *   further media is discarded (sent once per stream).
 *
 * As `signalwire`, SignalWire's `<Connect><Stream>` as its cXML `<Stream>` reference documents
 * it (signalwire/docs, compatibility-api/cxml/voice/stream.mdx): the same messages, with
 * `connected` at version 0.2.0, `dtmf` carrying `duration` and no `track`, UUIDs for ids, and the
 * `codec` attribute's wideband choices: `L16@16000h` and `L16@24000h` stream `audio/x-L16` (PCM16,
 * taken as little-endian: the reference does not say) at 16 or 24 kHz both ways, the default
 * being μ-law at 8 kHz. Marks come back when played or cleared, as on Twilio. The reference sets
 * no buffer limit: the simulator keeps Twilio's.
 *
 * @module
 */

import { counted } from "../_counted.ts";
import { mulawDecode, mulawEncode } from "../../audio/g711.ts";
import { toBase64 } from "../_base64.ts";
import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";
import { hexId, littleEndianBytes, samplesFromLittleEndian } from "./_json_events.ts";
import { MediaStreamEvents } from "./_media_stream_events.ts";

const BUFFER_CAP_MS = 10 * 60 * 1000;

/** Which platform's copy of Media Streams to be. */
export type MediaStreamsPlatform = "twilio" | "signalwire";

/** Twilio's side of a bidirectional Media Stream (or SignalWire's). */
export class TwilioFarEnd implements FarEnd {
  readonly protocol: MediaStreamsPlatform;
  readonly caller: { readonly sampleRate: number; readonly frameMs: number };
  readonly playbackRate: number;
  readonly #options: FarEndOptions;
  readonly #streamSid: string;
  readonly #callSid: string;
  readonly #accountSid: string;
  /** PCM16 (SignalWire's L16) rather than μ-law. */
  readonly #linear: boolean;
  #context!: FarEndContext;
  #events!: MediaStreamEvents;

  constructor(options: FarEndOptions, platform: MediaStreamsPlatform = "twilio") {
    this.protocol = platform;
    const rate = options.sampleRate ?? 8000;
    if (rate !== 8000 && (platform === "twilio" || (rate !== 16000 && rate !== 24000))) {
      throw new RangeError(
        platform === "twilio"
          ? `Twilio streams 8000 Hz μ-law only, got ${rate}`
          : `SignalWire streams 8000 (PCMU), 16000 or 24000 (L16) Hz, got ${rate}`,
      );
    }
    this.#linear = rate !== 8000;
    this.playbackRate = rate;
    this.caller = { sampleRate: rate, frameMs: 20 };
    this.#options = options;
    const uuid = platform === "signalwire";
    this.#streamSid = options.streamId ?? (uuid ? crypto.randomUUID() : hexId("MZ"));
    this.#callSid = options.callId ?? (uuid ? crypto.randomUUID() : hexId("CA"));
    this.#accountSid = uuid ? crypto.randomUUID() : hexId("AC");
  }

  open(context: FarEndContext): void {
    this.#context = context;
    // SignalWire's copy reports under Twilio's rules and error codes: the messages are Twilio's.
    const events = this.#events = new MediaStreamEvents(context, {
      protocol: "twilio",
      name: "Twilio",
      sequenceKey: "sequenceNumber",
      streamKey: "streamSid",
      streamId: this.#streamSid,
      checkStreamId: true,
      markOnClear: "ack",
      errorCode: "31924",
      chunkMs: this.caller.frameMs,
      onMedia: (bytes) => this.#play(bytes),
    });
    const version = this.protocol === "twilio" ? "1.0.0" : "0.2.0";
    events.send({ event: "connected", protocol: "Call", version });
    events.send({
      event: "start",
      sequenceNumber: events.nextSequence(),
      start: {
        accountSid: this.#accountSid,
        streamSid: this.#streamSid,
        callSid: this.#callSid,
        tracks: ["inbound"],
        customParameters: this.#options.customParameters ?? {},
        mediaFormat: {
          encoding: this.#linear ? "audio/x-L16" : "audio/x-mulaw",
          sampleRate: this.playbackRate,
          channels: 1,
        },
      },
      streamSid: this.#streamSid,
    });
    context.ready();
  }

  sendAudio(samples: Int16Array): void {
    const events = this.#events;
    events.send({
      event: "media",
      sequenceNumber: events.nextSequence(),
      media: {
        track: "inbound",
        ...events.nextChunk(),
        payload: toBase64(this.#linear ? littleEndianBytes(samples) : mulawEncode(samples)),
      },
      streamSid: this.#streamSid,
    });
  }

  sendDtmf(digit: string): boolean {
    this.#events.send({
      event: "dtmf",
      streamSid: this.#streamSid,
      sequenceNumber: this.#events.nextSequence(),
      dtmf: this.protocol === "twilio"
        ? { track: "inbound_track", digit }
        : { duration: 100, digit },
    });
    return true;
  }

  hangUp(): Promise<void> {
    this.#events.send({
      event: "stop",
      sequenceNumber: this.#events.nextSequence(),
      streamSid: this.#streamSid,
      stop: { accountSid: this.#accountSid, callSid: this.#callSid },
    });
    return Promise.resolve();
  }

  receive(data: string | Uint8Array): void {
    this.#events.receive(data);
  }

  /** The bytes of one `media` message: discarded past the buffer cap, else played. */
  #play(bytes: Uint8Array): void {
    const context = this.#context;
    if (context.queuedMs() >= BUFFER_CAP_MS) {
      // Twilio warns once per stream; the report counts every message discarded, as it counts
      // every drop (Vonage's, Asterisk's): audio the caller never hears is never lost unsaid.
      context.violation(
        "twilio.buffer-full",
        "31931: over 10 minutes of audio buffered; media discarded",
      );
      return;
    }
    if (this.#linear && bytes.length % 2 !== 0) {
      context.violation(
        "signalwire.bad-media",
        `an L16 payload of ${counted(bytes.length, "byte")} (odd)`,
      );
      return;
    }
    context.play(this.#linear ? samplesFromLittleEndian(bytes) : mulawDecode(bytes));
  }
}
