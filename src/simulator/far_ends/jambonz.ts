/**
 * jambonz's `listen` verb with bidirectional streaming, as the jambonz documentation describes it
 * (docs.jambonz.org, Verbs → listen, and jambonz.org/docs/webhooks/listen, 2024–2026; the
 * supporting article "Bidirectional (streaming) audio", release 0.9.0 and later):
 *
 * - jambonz connects with the subprotocol `audio.jambonz.org` (see {@linkcode JAMBONZ_SUBPROTOCOL})
 *   and first sends one text frame: a JSON object with the call's attributes (`callSid`,
 *   `direction`, `from`, `to`, `callId`, `accountSid`, `applicationSid`, …), `sampleRate` and
 *   `mixType`, plus the verb's `metadata` (here the custom parameters); then only binary frames
 *   of 16-bit PCM at `sampleRate` (8000 by default; 16000, 24000, 48000 or 64000), mono.
 * - With `passDtmf`, each keypad press is a text frame
 *   `{"event":"dtmf","dtmf":"2","duration":"1600"}`.
 * - With `bidirectionalAudio: {enabled, streaming: true, sampleRate}`, binary frames from the
 *   bot are L16 at `bidirectionalAudio.sampleRate` and play to the caller; the commands
 *   `killAudio`, `mark`, `clearMarks` and `disconnect` apply (see `_audio_fork.ts`). JSON with no
 *   `type`, `transcription` and `transfer` raise module events the `listen` task does not listen
 *   for (jambonz/jambonz-feature-server `lib/tasks/listen.js`, `_initListeners`): dropped unseen,
 *   violations; `error` is heard (it ends the verb; the simulator only notes it).
 * - `disconnect` closes the socket from the jambonz side and ends the `listen`; the caller
 *   hanging up closes it too. There is no goodbye message.
 *
 * @module
 */

import type { FarEnd, FarEndContext, FarEndOptions } from "../far_end.ts";
import { type AudioForkChannelOptions, AudioForkPlayback, channelRateOf } from "./_audio_fork.ts";
import { hexId, littleEndianBytes } from "./_json_events.ts";

/** The subprotocol jambonz asks for when it opens a `listen` socket. */
export const JAMBONZ_SUBPROTOCOL = "audio.jambonz.org";

const RATES = [8000, 16000, 24000, 48000, 64000];

/** What the jambonz far end takes beside {@linkcode FarEndOptions}. */
export interface JambonzFarEndOptions extends AudioForkChannelOptions {
  /**
   * The verb's `bidirectionalAudio.sampleRate`: the rate of the bot's streamed audio.
   *
   * @default {the `listen` sampleRate}
   */
  streamSampleRate?: number;
}

/** jambonz's side of a `listen` socket with bidirectional streaming. */
export class JambonzFarEnd implements FarEnd {
  readonly protocol = "jambonz";
  readonly subprotocols: readonly string[] = [JAMBONZ_SUBPROTOCOL];
  readonly caller: { readonly sampleRate: number; readonly frameMs: number };
  readonly playbackRate: number;
  readonly #options: FarEndOptions;
  readonly #channelRate: number;
  readonly #callSid: string;
  #context!: FarEndContext;
  #playback!: AudioForkPlayback;

  constructor(options: FarEndOptions, jambonz: JambonzFarEndOptions = {}) {
    const rate = options.sampleRate ?? 8000;
    const stream = jambonz.streamSampleRate ?? rate;
    for (const value of [rate, stream]) {
      if (!RATES.includes(value)) {
        throw new RangeError(
          `jambonz's listen sampleRate is one of ${RATES.join(", ")}, got ${value}`,
        );
      }
    }
    this.caller = { sampleRate: rate, frameMs: 20 };
    this.playbackRate = stream;
    this.#channelRate = channelRateOf(jambonz, stream);
    this.#options = options;
    this.#callSid = options.callId ?? crypto.randomUUID();
  }

  open(context: FarEndContext): void {
    this.#context = context;
    this.#playback = new AudioForkPlayback(context, {
      protocol: "jambonz",
      streamSampleRate: this.playbackRate,
      channelSampleRate: this.#channelRate,
      heardEvents: new Set(["error"]),
      onDisconnect: () => context.endCall("bot", "disconnect"),
    });
    context.send(JSON.stringify({
      sampleRate: this.caller.sampleRate,
      mixType: "mono",
      callSid: this.#callSid,
      direction: "inbound",
      from: this.#options.from ?? "+15550100001",
      to: this.#options.to ?? "+15550100002",
      callId: `${hexId("", 8)}-${hexId("", 4)}@jambonz`,
      sipStatus: 200,
      sipReason: "OK",
      callStatus: "in-progress",
      accountSid: crypto.randomUUID(),
      applicationSid: crypto.randomUUID(),
      ...this.#options.customParameters,
    }));
    context.ready();
  }

  sendAudio(samples: Int16Array): void {
    this.#context.send(littleEndianBytes(samples));
  }

  sendDtmf(digit: string): boolean {
    this.#context.send(JSON.stringify({ event: "dtmf", dtmf: digit, duration: "1600" }));
    return true;
  }

  hangUp(): Promise<void> {
    return Promise.resolve(); // jambonz closes the socket when the call ends
  }

  receive(data: string | Uint8Array): void {
    this.#playback.receive(data);
  }
}
