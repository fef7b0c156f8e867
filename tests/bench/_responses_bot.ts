/**
 * The benches' `responses` session: a protocol with playout acknowledgements (raw PCM audio, and
 * marks as `mark:NAME` text that the far end — the load client, the hand-driven socket — echoes
 * back once played) and an echo bot that tags its audio with response ids and listens to the
 * speaking events, so the transport's playback tracking runs in full.
 *
 * @module
 */

import {
  type Frame,
  type FrameSerializer,
  RawPcmSerializer,
  type SerializedMessage,
  type SerializerAudioSetup,
  type WebSocketTransport,
} from "../../mod.ts";
import { durationMs } from "../../src/audio/pcm.ts";

/** Raw PCM, plus marks as `mark:NAME` text that the far end echoes back once played. */
export class AckingSerializer implements FrameSerializer {
  readonly playoutMarks = true;
  readonly #pcm = new RawPcmSerializer();
  setup(audio: SerializerAudioSetup): void {
    this.#pcm.setup(audio);
  }
  serialize(frame: Frame): SerializedMessage | null {
    return frame.type === "mark" ? `mark:${frame.name}` : this.#pcm.serialize(frame);
  }
  deserialize(data: string | Uint8Array): Frame | null {
    if (typeof data === "string" && data.startsWith("mark:")) {
      return { type: "mark", name: data.slice(5) };
    }
    return this.#pcm.deserialize(data);
  }
}

/**
 * Echoes the caller's audio back as responses: a new response id every `responseMs` of audio, as
 * a TTS loop names each answer once (a new id string per frame would measure the bot, not the
 * transport), with a listener on the speaking events, as a bot that drives turn-taking has
 * (`listen: false` leaves them out: what the listeners cost).
 */
export function respondingEcho(
  transport: WebSocketTransport,
  responseMs: number,
  { listen = true }: { listen?: boolean } = {},
): void {
  let speaking = 0;
  if (listen) {
    transport.addEventListener("speakingstart", () => speaking++);
    transport.addEventListener("speakingstop", () => speaking--);
  }
  let echoedMs = 0;
  let response = 0;
  let responseId = "r0";
  transport.receive((frame) => {
    if (frame.type !== "audio") return;
    echoedMs += durationMs(frame.audio.length, frame);
    if (echoedMs >= responseMs) {
      echoedMs = 0;
      responseId = `r${++response}`;
    }
    transport.send({
      type: "audio",
      audio: frame.audio,
      sampleRate: frame.sampleRate,
      channels: frame.channels,
      responseId,
    });
  });
}
