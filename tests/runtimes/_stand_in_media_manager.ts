/**
 * A stand-in for the pipecat JS client's media manager, the one browser-only piece of the client:
 * a microphone that plays a 440 Hz tone at 16 kHz in 20 ms chunks, and a speaker that records what
 * it is given to play. Lets the unmodified client run in Deno.
 *
 * @module
 */

import { WavMediaManager } from "@pipecat-ai/websocket-transport";
import { tone } from "../serializers/fixtures/telephony_harness.ts";
import { within } from "../_ws_client.ts";

// The package exports WavMediaManager and DailyMediaManager but not their abstract base class;
// the stand-in extends that base, exactly as the shipped managers do.
const MediaManager = Object.getPrototypeOf(WavMediaManager) as typeof WavMediaManager;

/** A microphone that plays a 440 Hz tone at 16 kHz in 20 ms chunks, and a speaker that records. */
export class StandInMediaManager extends MediaManager {
  played: Int16Array[] = [];
  #playedSamples = 0;
  #onPlayed = new Set<() => void>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #at = 0;
  #mic = tone(440, 16000, 16000 * 10, 0.25);

  override initialize(): Promise<void> {
    return Promise.resolve();
  }
  override connect(): Promise<void> {
    this.#timer = setInterval(() => {
      const chunk = this.#mic.slice(this.#at, this.#at + 320);
      this.#at = (this.#at + 320) % this.#mic.length;
      // deno-lint-ignore no-explicit-any
      (this as any)._userAudioCallback(chunk.buffer);
    }, 20);
    return Promise.resolve();
  }
  override disconnect(): Promise<void> {
    clearInterval(this.#timer);
    return Promise.resolve();
  }
  override userStartedSpeaking(): Promise<unknown> {
    return Promise.resolve();
  }
  override bufferBotAudio(data: ArrayBuffer | Int16Array): Int16Array {
    const samples = data instanceof Int16Array ? data : new Int16Array(data);
    this.played.push(samples);
    this.#playedSamples += samples.length;
    for (const wake of [...this.#onPlayed]) wake();
    return samples;
  }
  /** Resolves once `samples` samples have been given to play; rejects after `ms`. */
  async playedAtLeast(samples: number, ms: number): Promise<void> {
    let wake!: () => void;
    const enough = new Promise<void>((resolve) => {
      wake = () => void (this.#playedSamples >= samples && resolve());
      this.#onPlayed.add(wake);
      wake();
    });
    try {
      await within(enough, ms, `${samples} samples of bot audio`);
    } finally {
      this.#onPlayed.delete(wake);
    }
  }
  override getAllMics(): Promise<MediaDeviceInfo[]> {
    return Promise.resolve([]);
  }
  override getAllCams(): Promise<MediaDeviceInfo[]> {
    return Promise.resolve([]);
  }
  override getAllSpeakers(): Promise<MediaDeviceInfo[]> {
    return Promise.resolve([]);
  }
  override updateMic(): Promise<void> {
    return Promise.resolve();
  }
  override updateCam(): void {}
  override updateSpeaker(): void {}
  override get selectedMic(): Record<string, never> {
    return {};
  }
  override get selectedCam(): Record<string, never> {
    return {};
  }
  override get selectedSpeaker(): Record<string, never> {
    return {};
  }
  override enableMic(): Promise<void> {
    return Promise.resolve();
  }
  override enableCam(): void {}
  override enableScreenShare(): void {}
  override get isCamEnabled(): boolean {
    return false;
  }
  override get isMicEnabled(): boolean {
    return true;
  }
  override get isSharingScreen(): boolean {
    return false;
  }
  override tracks(): { local: Record<string, never> } {
    return { local: {} };
  }
}
