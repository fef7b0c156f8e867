/**
 * A far end for playback tests: it plays the audio it receives in real time (on a `FakeClock`)
 * behind a jitter buffer, and acknowledges marks when the audio before them has played, as
 * Twilio's Media Streams documents it ("mark" is sent back once the media sent before it has
 * been played; on "clear" the buffer is emptied and pending marks are sent back at once). The
 * wire is the small protocol of {@linkcode MarkingSerializer}: binary PCM16, "mark:NAME",
 * "clear", "end".
 *
 * @module
 */

import type { Frame, FrameSerializer, SerializedMessage, SerializerAudioSetup } from "../mod.ts";
import { RawPcmSerializer } from "../mod.ts";
import type { FakeClock, MemorySocket } from "../src/testing/mod.ts";

/** Raw PCM plus words for marks, clear and end; the far end acknowledges marks when asked to. */
export class MarkingSerializer implements FrameSerializer {
  readonly playoutMarks: boolean;
  readonly #pcm = new RawPcmSerializer();

  constructor(playoutMarks = true) {
    this.playoutMarks = playoutMarks;
  }

  setup(audio: SerializerAudioSetup): void {
    this.#pcm.setup(audio);
  }

  serialize(frame: Frame): SerializedMessage | null {
    switch (frame.type) {
      case "mark":
        return `mark:${frame.name}`;
      case "interruption":
        return "clear";
      case "end":
        return "end";
      default:
        return this.#pcm.serialize(frame);
    }
  }

  deserialize(data: string | Uint8Array): Frame | null {
    if (typeof data === "string" && data.startsWith("mark:")) {
      return { type: "mark", name: data.slice(5) };
    }
    return this.#pcm.deserialize(data);
  }
}

/** One stretch of audio as the far end played it: bytes all equal `value`, from `at` for `ms`. */
export interface PlayedSpan {
  value: number;
  at: number;
  ms: number;
}

/** Options for {@linkcode FakeFarEnd}. */
export interface FakeFarEndOptions {
  /** Audio waits this long after arriving before it plays (the jitter buffer). */
  jitterMs: number;
  /** Bytes per millisecond of the audio (32 for 16 kHz mono PCM16). */
  bytesPerMs: number;
  /** Acknowledge marks (false: a far end whose acknowledgements never come). */
  acks?: boolean;
  /**
   * The network's delay each way: what the transport sends arrives this long after, and what the
   * far end sends back (its answers) too. 0 (the default): at once.
   */
  oneWayMs?: number;
}

/** Plays what the transport sends and answers marks, on the fake clock. */
export class FakeFarEnd {
  /** What played, in order (cut short by a clear). */
  readonly played: PlayedSpan[] = [];
  /** Every text message received, with its arrival time and the audio bytes received before it. */
  readonly texts: { at: number; text: string; bytesBefore: number }[] = [];
  /** When audio arrived, in bytes per arrival. */
  readonly arrivals: { at: number; bytes: number }[] = [];
  readonly #clock: FakeClock;
  readonly #socket: MemorySocket;
  readonly #options: FakeFarEndOptions;
  /** When the audio received so far will have finished playing. */
  #playsUntil = 0;
  #pendingMarks: { name: string; at: number }[] = [];
  #jitterMs: number;
  #bytes = 0;
  #acking: boolean;

  constructor(clock: FakeClock, socket: MemorySocket, options: FakeFarEndOptions) {
    this.#clock = clock;
    this.#socket = socket;
    this.#options = options;
    this.#jitterMs = options.jitterMs;
    this.#acking = options.acks !== false;
    const oneWayMs = options.oneWayMs ?? 0;
    socket.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      if (oneWayMs > 0) void clock.sleep(oneWayMs).then(() => this.#receive(data));
      else this.#receive(data);
    });
  }

  /** Milliseconds of audio whose bytes equal `value` that had played by `time`. */
  playedMs(value: number, time = this.#clock.now()): number {
    let ms = 0;
    for (const span of this.played) {
      if (span.value !== value) continue;
      ms += Math.max(0, Math.min(span.ms, time - span.at));
    }
    return ms;
  }

  /** The silences the caller heard between spans of audio whose bytes equal `value`, in ms. */
  gaps(value: number): number[] {
    const found: number[] = [];
    const played = this.played.filter((span) => span.value === value);
    for (let i = 1; i < played.length; i++) {
      const before = played[i - 1]!;
      const gap = played[i]!.at - (before.at + before.ms);
      if (gap > 1e-6) found.push(gap);
    }
    return found;
  }

  /** From now on no mark is acknowledged, those waiting included (a far end that stops answering). */
  stopAcking(): void {
    this.#acking = false;
    this.#pendingMarks = [];
  }

  /** From now on audio waits `ms` longer before it plays (a network that got slower). */
  delayBy(ms: number): void {
    this.#jitterMs += ms;
  }

  /** When the last audio received finishes playing. */
  get playsUntil(): number {
    return this.#playsUntil;
  }

  #receive(data: unknown): void {
    if (typeof data === "string") this.#text(data);
    else this.#audio(new Uint8Array(data as ArrayBuffer));
  }

  #audio(bytes: Uint8Array): void {
    const now = this.#clock.now();
    const ms = bytes.length / this.#options.bytesPerMs;
    this.arrivals.push({ at: now, bytes: bytes.length });
    this.#bytes += bytes.length;
    const at = Math.max(now + this.#jitterMs, this.#playsUntil);
    this.#playsUntil = at + ms;
    this.played.push({ value: bytes[0] ?? 0, at, ms });
  }

  #text(text: string): void {
    const now = this.#clock.now();
    this.texts.push({ at: now, text, bytesBefore: this.#bytes });
    if (text.startsWith("mark:")) {
      if (!this.#acking) return;
      // Acknowledged once everything received before it has played.
      const mark = { name: text.slice(5), at: Math.max(now, this.#playsUntil) };
      this.#pendingMarks.push(mark);
      void this.#clock.sleep(mark.at - now).then(() => this.#ack(mark));
    } else if (text === "clear") {
      // The buffer empties now: what had not played never will.
      for (const span of this.played) {
        if (span.at + span.ms > now) span.ms = Math.max(0, now - span.at);
      }
      this.#playsUntil = now;
      for (const mark of this.#pendingMarks.splice(0)) this.#send(`mark:${mark.name}`);
    }
  }

  #ack(mark: { name: string }): void {
    const index = this.#pendingMarks.indexOf(mark as { name: string; at: number });
    if (index < 0) return; // already answered by a clear
    this.#pendingMarks.splice(index, 1);
    this.#send(`mark:${mark.name}`);
  }

  #send(text: string): void {
    const oneWayMs = this.#options.oneWayMs ?? 0;
    if (oneWayMs > 0) void this.#clock.sleep(oneWayMs).then(() => this.#sendNow(text));
    else this.#sendNow(text);
  }

  #sendNow(text: string): void {
    if (this.#socket.readyState === 1) this.#socket.send(text);
  }
}
