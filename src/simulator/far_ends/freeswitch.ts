/**
 * FreeSWITCH's `mod_audio_fork` with bidirectional streaming, as its README documents it
 * (drachtio/drachtio-freeswitch-modules `modules/mod_audio_fork/README.md`, and the streaming
 * additions of jambonz/freeswitch-modules, 2024: `uuid_audio_fork <uuid> start <wss-url>
 * <mix-type> <sampling-rate> [bugname] [metadata] [bidirectionalAudio_enabled]
 * [bidirectionalAudio_stream_enabled] [bidirectionalAudio_stream_samplerate]`):
 *
 * - The module connects with the subprotocol `MOD_AUDIO_FORK_SUBPROTOCOL_NAME`
 *   ({@linkcode FREESWITCH_SUBPROTOCOL} by default), sends the `metadata` argument as one text
 *   frame "immediately upon connecting", then the caller's audio as binary L16 at the sampling
 *   rate (`8k`, `16k`, or a multiple of 8000), one channel for `mono`.
 * - Text frames the application sends with `uuid_audio_fork <uuid> send_text` reach the server
 *   as they are; the README names no DTMF format, so the simulator sends no keypad presses.
 * - From the server: binary L16 at the stream sampling rate, played to the caller; the JSON
 *   commands `killAudio`, `mark`, `clearMarks` and `disconnect` (see `_audio_fork.ts`).
 *   `disconnect` only raises `mod_audio_fork::disconnect` ("the module does not close the
 *   Freeswitch channel"); the simulator plays the usual application, which hangs up on it.
 * - The metadata here is the README's example: `{"to", "from", "callid"}` (plus the custom
 *   parameters).
 *
 * @module
 */

import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";
import {
  ALL_MODULE_EVENTS,
  type AudioForkChannelOptions,
  AudioForkPlayback,
  channelRateOf,
} from "./_audio_fork.ts";
import { littleEndianBytes } from "./_json_events.ts";

/** `mod_audio_fork`'s default subprotocol (`MOD_AUDIO_FORK_SUBPROTOCOL_NAME`). */
export const FREESWITCH_SUBPROTOCOL = "audio.drachtio.org";

/** What the FreeSWITCH far end takes beside {@linkcode FarEndOptions}. */
export interface FreeSwitchFarEndOptions extends AudioForkChannelOptions {
  /**
   * `bidirectionalAudio_stream_samplerate`: the rate of the bot's streamed audio.
   *
   * @default {the sampling rate}
   */
  streamSampleRate?: number;
}

/** FreeSWITCH's side of a `uuid_audio_fork` socket with bidirectional streaming. */
export class FreeSwitchFarEnd implements FarEnd {
  readonly protocol = "freeswitch";
  readonly subprotocols: readonly string[] = [FREESWITCH_SUBPROTOCOL];
  readonly caller: { readonly sampleRate: number; readonly frameMs: number };
  readonly playbackRate: number;
  readonly #options: FarEndOptions;
  readonly #channelRate: number;
  readonly #uuid: string;
  #context!: FarEndContext;
  #playback!: AudioForkPlayback;

  constructor(options: FarEndOptions, freeswitch: FreeSwitchFarEndOptions = {}) {
    const rate = options.sampleRate ?? 8000;
    const stream = freeswitch.streamSampleRate ?? rate;
    for (const value of [rate, stream]) {
      if (!Number.isInteger(value) || value <= 0 || value % 8000 !== 0) {
        throw new RangeError(`mod_audio_fork's sampling rate is a multiple of 8000, got ${value}`);
      }
    }
    this.caller = { sampleRate: rate, frameMs: 20 };
    this.playbackRate = stream;
    this.#channelRate = channelRateOf(freeswitch, stream);
    this.#options = options;
    this.#uuid = options.callId ?? crypto.randomUUID();
  }

  open(context: FarEndContext): void {
    this.#context = context;
    this.#playback = new AudioForkPlayback(context, {
      protocol: "freeswitch",
      streamSampleRate: this.playbackRate,
      channelSampleRate: this.#channelRate,
      heardEvents: ALL_MODULE_EVENTS,
      onDisconnect: () => context.endCall("bot", "disconnect (the application hung up)"),
    });
    context.send(JSON.stringify({
      to: this.#options.to ?? "+15550100002",
      from: this.#options.from ?? "+15550100001",
      callid: this.#uuid,
      ...this.#options.customParameters,
    }));
    context.ready();
  }

  sendAudio(samples: Int16Array): void {
    this.#context.send(littleEndianBytes(samples));
  }

  sendDtmf(_digit: string): boolean {
    return false; // the module has no DTMF message of its own
  }

  hangUp(): Promise<void> {
    return Promise.resolve(); // `uuid_audio_fork <uuid> stop` closes the socket
  }

  receive(data: string | Uint8Array): void {
    this.#playback.receive(data);
  }
}
