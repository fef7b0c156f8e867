/**
 * The model side of the bridge: what a speech-to-speech model API must offer for a phone call to
 * reach it. One file per model implements {@linkcode RealtimeModel} (`openai_realtime.ts` for
 * OpenAI's Realtime API); the bridge (`bridge_call.ts`) speaks only this interface, so another
 * model is one more file, not a change to the bridge.
 *
 * Audio crosses this interface as PCM16 mono, little-endian, at the model's own rates: the model
 * file converts to and from its wire format (base64 μ-law, raw PCM, …), the transport converts to
 * and from the telephony provider's.
 *
 * @module
 */

/** What a model tells the bridge while a call runs. */
export interface RealtimeModelEvents {
  /**
   * A piece of the model's spoken answer, PCM16 at `outputSampleRate`. `itemId` names the
   * utterance it belongs to: the bridge tags the audio with it, and hands it back to
   * {@linkcode RealtimeModel.truncate} when the caller cut the utterance short.
   */
  onAudio(itemId: string, pcm: Uint8Array): void;
  /** Utterance `itemId` has no more audio to come (it is complete, or was cut short). */
  onAudioEnd(itemId: string): void;
  /** The model's own voice detector heard the caller start talking (a barge-in, if it speaks). */
  onSpeechStarted(): void;
  /** The model's voice detector heard the caller stop talking. */
  onSpeechStopped?(): void;
  /** A transcript, of the caller or of the model, for logs. */
  onTranscript?(speaker: "caller" | "model", text: string): void;
  /** The model confirmed a truncation: its context now holds `audioEndMs` of item `itemId`. */
  onTruncated?(itemId: string, audioEndMs: number): void;
  /** Something went wrong that the session survives (a rejected event, a server hiccup). */
  onError(error: Error): void;
  /** The model's connection is gone, for whatever reason; no event follows. */
  onClose(code: number, reason: string): void;
}

/**
 * One call's session with a speech-to-speech model. Made per call, connected once, closed once.
 *
 * A new model is one file implementing this: connect and configure the session (`connect`),
 * forward caller audio (`sendAudio`), report its audio with an utterance id and its barge-in
 * detection (`events`), and cut its memory of an utterance to what the caller heard (`truncate`;
 * a model that has no such call can only log it).
 */
export interface RealtimeModel {
  /** A short name for logs (`"openai"`). */
  readonly name: string;
  /** The rate of the PCM16 the model takes from the caller. */
  readonly inputSampleRate: number;
  /** The rate of the PCM16 the model speaks. */
  readonly outputSampleRate: number;
  /**
   * Opens and configures the session; resolves once the model is ready for audio, rejects (and
   * leaves nothing open) when it cannot be reached or refuses the configuration, within a bound.
   * Audio sent before it resolves is held (bounded) and sent once the session is open.
   */
  connect(events: RealtimeModelEvents): Promise<void>;
  /** Caller audio, PCM16 at `inputSampleRate`. */
  sendAudio(pcm: Uint8Array): void;
  /**
   * The caller heard only `heardMs` of utterance `itemId` before cutting it short: the model
   * should forget the rest, so its next answer does not assume the caller heard it.
   */
  truncate(itemId: string, heardMs: number): void;
  /** Stops the answer being generated, if any (the bridge interrupted it on its own). */
  cancelResponse(): void;
  /** Closes the session; resolves once the connection is gone (bounded). */
  close(): Promise<void>;
}
