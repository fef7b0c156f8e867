/**
 * {@linkcode bridgeCall}: one phone call, bridged to a speech-to-speech model. The caller's audio
 * goes to the model, the model's audio to the caller, each utterance tagged with the model's item
 * id as the transport's `responseId`; when the caller talks over the model, playback stops at once
 * and the model's memory of the utterance is cut to what the caller actually heard.
 *
 * @module
 */

import {
  type InterruptResult,
  type SpeakingEvent,
  SpeechDetector,
  type SpeechDetectorOptions,
  type SpeechEvent,
  type StartFrame,
  type TransportClosed,
  type WebSocketTransport,
} from "@x/ws-transport";
import type { RealtimeModel } from "./realtime_model.ts";

/** Options for {@linkcode bridgeCall}. */
export interface BridgeCallOptions {
  /** The model side, one per call, not yet connected. */
  model: RealtimeModel;
  /**
   * The transport's outbound chunk (or fixed packet) length, in ms: each utterance is padded
   * with silence to a multiple of it, so that its tail is not held back waiting for the rest of
   * a chunk (nor sent short, which Exotel refuses).
   *
   * @default {20}
   */
  chunkMs?: number;
  /**
   * Also detect barge-in here, on the caller's audio as it arrives (an energy detector, see
   * `SpeechDetector`), instead of only when the model's own voice detector reports it: playback
   * stops a network round trip sooner, and the model's answer is cancelled (`response.cancel`).
   * `true` uses the detector's defaults; an object sets its options.
   *
   * @default {false}
   */
  localBargeIn?: boolean | SpeechDetectorOptions;
  /**
   * Logs what happens on the call.
   *
   * @default {() => {}}
   */
  log?: (...data: unknown[]) => void;
}

/** A model utterance cut short, and how far the model was told to forget it. */
export interface Truncation {
  /** The model's item id (the transport's `responseId`). */
  itemId: string;
  /** Milliseconds of it the caller heard: the truncation's `audio_end_ms`. */
  audioEndMs: number;
}

/** One time the caller talked over the model. */
export interface BargeInRecord {
  /** Who noticed: the model's voice detector, or the bridge's own on the caller's audio. */
  source: "model" | "caller-audio";
  /** What the transport said the caller heard, and what it dropped. */
  interrupted: InterruptResult;
  /** The truncations sent for it: the utterance playing, and any queued behind it (at 0 ms). */
  truncations: Truncation[];
}

/** What happened on a bridged call, once it is over. */
export interface BridgedCall {
  /** The provider's `start` frame (call and stream ids, custom parameters), if one came. */
  start: StartFrame | undefined;
  /** Every barge-in, in order. */
  bargeIns: BargeInRecord[];
  /** The truncations the model confirmed. */
  confirmed: Truncation[];
  /** Errors the model reported (the call went on). */
  modelErrors: string[];
  /** Bytes of the model's audio dropped as stale: late audio of interrupted utterances. */
  staleAudioBytes: number;
  /** Who ended the call: the caller's side, the model going away, or the bridge. */
  endedBy: "caller" | "model" | "bridge";
  /** How the telephony WebSocket closed. */
  closed: TransportClosed;
}

/**
 * Bridges `transport` (a phone call on any provider's serializer, audio rates set to the model's:
 * `audioIn.sampleRate = model.inputSampleRate`, `audioOut.sampleRate = model.outputSampleRate`)
 * to `options.model` until either side hangs up; resolves with what happened. It never rejects:
 * a model that cannot be reached or goes away ends the call (an `end` frame: the provider hangs
 * up, or the stream closes).
 *
 * Barge-in uses playback truth: `transport.interrupt()` says which utterance was playing and how
 * much of it the caller heard (to one mark interval where the provider acknowledges playout), and
 * that is what the model is told to keep (`truncate`). Audio of an interrupted utterance that
 * the model still sends is dropped by the transport's stale-audio gate (its `responseId`).
 *
 * @example
 * ```ts ignore
 * const { transport } = await upgrade(request, {
 *   serializer: new TwilioSerializer(),
 *   audioIn: { sampleRate: 8000 },
 *   audioOut: { sampleRate: 8000, chunkMs: 20 },
 * });
 * const summary = await bridgeCall(transport, { model: new OpenAIRealtime({ apiKey }) });
 * ```
 */
export function bridgeCall(
  transport: WebSocketTransport,
  options: BridgeCallOptions,
): Promise<BridgedCall> {
  return new CallBridge(transport, options).run();
}

/** One call's bridge state. */
class CallBridge {
  readonly #transport: WebSocketTransport;
  readonly #model: RealtimeModel;
  readonly #log: (...data: unknown[]) => void;
  readonly #detector: SpeechDetector | undefined;
  readonly #chunkMs: number;
  /** Utterances whose audio was handed to the transport and has not all played yet, in order. */
  #unplayed: string[] = [];
  /** The utterance the model is sending audio of, until it says its audio has ended. */
  #streaming: string | undefined;
  /**
   * That utterance while all of its audio sent so far has played: the model stalled, the
   * transport ran dry, and the rest is still to come (the caller may talk over it meanwhile).
   */
  #stalled: string | undefined;
  /** Utterances cut short (their late audio still goes to the transport, which drops it). */
  readonly #cut = new Set<string>();
  /**
   * Milliseconds already played of utterances whose audio paused (the model stalled and the
   * transport ran dry): the transport counts what follows as a new stretch of the same id.
   */
  readonly #playedBefore = new Map<string, number>();
  /** Milliseconds of audio the model sent of each recent utterance (padding aside). */
  readonly #itemMs = new Map<string, number>();
  #start: StartFrame | undefined;
  readonly #bargeIns: BargeInRecord[] = [];
  readonly #confirmed: Truncation[] = [];
  readonly #modelErrors: string[] = [];
  #endedBy: BridgedCall["endedBy"] | undefined;

  constructor(transport: WebSocketTransport, options: BridgeCallOptions) {
    this.#transport = transport;
    this.#model = options.model;
    this.#log = options.log ?? (() => {});
    this.#chunkMs = options.chunkMs ?? 20;
    const local = options.localBargeIn;
    this.#detector = local
      ? new SpeechDetector({
        sampleRate: this.#model.inputSampleRate,
        ...(local === true ? {} : local),
      })
      : undefined;
  }

  async run(): Promise<BridgedCall> {
    const transport = this.#transport;
    const listening = new AbortController();
    transport.addEventListener("speakingstop", this.#onSpeakingStop, { signal: listening.signal });
    transport.receive((frame) => {
      switch (frame.type) {
        case "audio":
          this.#model.sendAudio(frame.audio);
          this.#detector?.push(frame, this.#onCallerSpeech);
          return;
        case "start":
          this.#start = frame;
          this.#log("call started:", frame.callId ?? "", frame.streamId ?? "", frame.params ?? {});
          return;
        case "dtmf":
          this.#log("keypad:", frame.digit);
          return;
        case "end":
          this.#log("the caller's side stopped:", frame.reason ?? "");
          return;
      }
    });
    // A model whose `connect` throws rather than rejects is as unavailable: the call hangs up.
    Promise.resolve().then(() =>
      this.#model.connect({
        onAudio: this.#onModelAudio,
        onAudioEnd: this.#onModelAudioEnd,
        onSpeechStarted: () => void this.#bargeIn("model"),
        onSpeechStopped: () => this.#log("caller stopped talking"),
        onTranscript: (speaker, text) => this.#log(`${speaker}:`, text),
        onTruncated: (itemId, audioEndMs) => this.#confirmed.push({ itemId, audioEndMs }),
        onError: (error) => {
          this.#modelErrors.push(error.message);
          this.#log("model error:", error.message);
        },
        onClose: (code, reason) => this.#hangUp(`the model closed (${code} ${reason})`),
      })
    ).then(
      () => this.#log(`${this.#model.name} session ready`),
      (error) => this.#hangUp(`the model is unavailable: ${(error as Error)?.message ?? error}`),
    );
    const closed = await transport.closed;
    listening.abort();
    this.#endedBy ??= closed.initiator === "remote" ? "caller" : "bridge";
    try {
      await this.#model.close();
    } catch (error) {
      this.#log("the model did not close cleanly:", error); // the call is over all the same
    }
    this.#log("call ended:", closed.code, closed.reason, `(by the ${this.#endedBy})`);
    return {
      start: this.#start,
      bargeIns: this.#bargeIns,
      confirmed: this.#confirmed,
      modelErrors: this.#modelErrors,
      staleAudioBytes: transport.stats.audioBytesStale,
      endedBy: this.#endedBy,
      closed,
    };
  }

  #onModelAudio = (itemId: string, pcm: Uint8Array): void => {
    if (!this.#cut.has(itemId)) {
      if (this.#unplayed.at(-1) !== itemId) this.#unplayed.push(itemId);
      this.#streaming = itemId;
    }
    if (this.#stalled === itemId) this.#stalled = undefined; // it plays on
    remember(this.#itemMs, itemId, (this.#itemMs.get(itemId) ?? 0) + this.#msOf(pcm.length));
    this.#sendAudio(itemId, pcm);
  };

  #onModelAudioEnd = (itemId: string): void => {
    if (this.#streaming === itemId) this.#streaming = undefined;
    const stalled = this.#stalled === itemId;
    if (stalled) this.#stalled = undefined;
    if (this.#cut.has(itemId)) return;
    // Pad the tail to a whole chunk: the transport sends whole chunks of an utterance only.
    const rest = (this.#itemMs.get(itemId) ?? 0) % this.#chunkMs;
    if (rest < 1e-6 || this.#chunkMs - rest < 1e-6) {
      // All of it had played already: no "played" will come for it now.
      if (stalled) this.#unplayed.splice(0, this.#unplayed.indexOf(itemId) + 1);
      return;
    }
    const samples = Math.round(((this.#chunkMs - rest) * this.#model.outputSampleRate) / 1000);
    this.#sendAudio(itemId, new Uint8Array(samples * 2));
  };

  #sendAudio(itemId: string, pcm: Uint8Array): void {
    // The transport copies what it queues; past `maxQueuedMs` it asks the writer to wait, but a
    // model streams faster than real time and cannot be paused: queueing on loses nothing.
    void this.#transport.send({
      type: "audio",
      audio: pcm,
      sampleRate: this.#model.outputSampleRate,
      channels: 1,
      responseId: itemId,
    });
  }

  #msOf(bytes: number): number {
    return (bytes * 1000) / (2 * this.#model.outputSampleRate);
  }

  #onSpeakingStop = (event: SpeakingEvent): void => {
    if (event.reason !== "played" || event.responseId === undefined) return;
    const index = this.#unplayed.indexOf(event.responseId);
    // An utterance still streaming only ran dry: more of it is coming, so it is still unplayed,
    // and a barge-in now must cut it (its late audio dropped, the model told what was heard).
    const stalled = event.responseId === this.#streaming;
    if (index >= 0) this.#unplayed.splice(0, stalled ? index : index + 1);
    if (stalled) this.#stalled = event.responseId;
    const before = this.#playedBefore.get(event.responseId) ?? 0;
    remember(this.#playedBefore, event.responseId, before + event.sentMs);
  };

  #onCallerSpeech = (event: SpeechEvent): void => {
    if (event.type === "speechstart" && this.#transport.playback.speaking) {
      void this.#bargeIn("caller-audio");
    }
  };

  /** The caller talked over the model: stop playback, then cut the model's memory to match. */
  async #bargeIn(source: BargeInRecord["source"]): Promise<void> {
    if (this.#unplayed.length === 0 && !this.#transport.playback.speaking) return; // a new turn
    // Taken before the interruption, in the same turn: audio that arrives meanwhile is late.
    const unplayed = this.#unplayed;
    this.#unplayed = [];
    for (const itemId of unplayed) {
      this.#cut.add(itemId);
      // Late audio comes right after a cut: only the last few cut utterances need remembering.
      if (this.#cut.size > 16) this.#cut.delete(this.#cut.values().next().value!);
    }
    if (source === "caller-audio") this.#model.cancelResponse(); // the model's VAD does its own
    const interrupted = await this.#transport.interrupt();
    // The utterance playing was heard for `heardMs`; those queued behind it not at all; those
    // before it in full (they are only here because their last acknowledgement is due).
    const playing = unplayed.indexOf(interrupted.responseId ?? "");
    const truncations: Truncation[] = [];
    for (const [index, itemId] of unplayed.entries()) {
      if (index < playing) continue;
      const before = this.#playedBefore.get(itemId) ?? 0;
      const heard = before + (index === playing ? interrupted.heardMs : 0);
      // Never past the model's own audio: the caller may have heard some of the padding.
      const audioEndMs = Math.floor(Math.min(heard, this.#itemMs.get(itemId) ?? heard));
      this.#model.truncate(itemId, audioEndMs);
      truncations.push({ itemId, audioEndMs });
    }
    this.#bargeIns.push({ source, interrupted, truncations });
    const { heardMs, droppedMs, responseId, acknowledged } = interrupted;
    this.#log(
      `barge-in (${source}): heard ${heardMs.toFixed(0)} ms of ${responseId},`,
      `dropped ${droppedMs.toFixed(0)} ms`,
      acknowledged ? "(acknowledged)" : "(estimated)",
    );
  }

  /** Ends the call from the bridge's side, once: the provider hangs up after what is queued. */
  #hangUp(why: string): void {
    if (this.#endedBy !== undefined) return;
    this.#endedBy = "model";
    this.#log(why);
    void this.#transport.send({ type: "end", reason: why });
  }
}

/** Sets `key` in a map of recent utterances, forgetting the oldest: only the last few can grow. */
function remember(map: Map<string, number>, key: string, value: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > 16) map.delete(map.keys().next().value!);
}
