/**
 * A ConversationRelay far end opened on a playout queue the test drains by hand (`played(ms)` of
 * it has been heard), on the do-nothing context of `_context.ts`: the bot's audio joins the queue
 * at 8 kHz (a looped media `times` over), the bot's clear empties it (counted), the platform's
 * own drop (far_end.ts `dropQueued`, ConversationRelay's preemptible talk cycles) takes its span
 * out of what is queued, and what the platform sends the bot is kept, parsed.
 *
 * @module
 */

import {
  ConversationRelayFarEnd,
  ENDPOINT_MS,
  MS_PER_CHARACTER,
} from "../../../src/simulator/far_ends/conversation_relay.ts";
import type { FarEndOptions } from "../../../src/simulator/far_end.ts";
import { farEndContext } from "./_context.ts";

/** The far end and what the test reads of its queue and its messages. */
export interface HandDrainedRelay {
  far: ConversationRelayFarEnd;
  /** What the platform sent the bot, in order, parsed. */
  fromPlatform: Record<string, unknown>[];
  /** The platform's `interrupt` messages among them. */
  interrupts(): Record<string, unknown>[];
  /** What the platform sent after its `setup`. */
  sent(): Record<string, unknown>[];
  /** The bot sends `messages`, each as its JSON text. */
  bot(...messages: Record<string, unknown>[]): void;
  /** `ms` more of the queue has been heard. */
  played(ms: number): void;
  /**
   * The caller says something: 20 ms of loud sound, then silence enough to end it. Speech, not a
   * keypress, is what makes the platform send `interrupt` (Twilio's "Interrupt message").
   */
  speaks(): void;
  queuedMs(): number;
  /** How many times the bot's clear emptied the queue. */
  clears(): number;
}

/** See the module doc; the far end is made with `options` (its settings, `dtmfDetection`…). */
export function handDrainedRelay(options: FarEndOptions = {}): HandDrainedRelay {
  let queuedMs = 0;
  let clears = 0;
  const fromPlatform: Record<string, unknown>[] = [];
  const far = new ConversationRelayFarEnd(options);
  far.open(farEndContext({
    // A looped `play` comes as its one clip, `times` over (far_end.ts `play`).
    play: (samples, times = 1) => void (queuedMs += (samples.length * times * 1000) / 8000),
    queuedMs: () => queuedMs,
    clear: () => void (queuedMs = 0, clears++),
    dropQueued: (fromMs, toMs) => void (queuedMs -= Math.max(0, Math.min(toMs, queuedMs) - fromMs)),
    send: (m) => void fromPlatform.push(JSON.parse(m as string)),
  }));
  return {
    far,
    fromPlatform,
    interrupts: () => fromPlatform.filter((m) => m.type === "interrupt"),
    sent: () => fromPlatform.filter((m) => m.type !== "setup"),
    bot: (...messages) => {
      for (const message of messages) far.receive(JSON.stringify(message));
    },
    played: (ms) => void (queuedMs = Math.max(0, queuedMs - ms)),
    speaks: () => {
      far.sendAudio(new Int16Array(160).map((_, i) => (i % 2 ? 10_000 : -10_000)));
      for (let ms = 0; ms <= ENDPOINT_MS + 40; ms += 20) far.sendAudio(new Int16Array(160));
    },
    queuedMs: () => queuedMs,
    clears: () => clears,
  };
}

/** How long the far end speaks `text` (`MS_PER_CHARACTER` a character). */
export const spokenMs = (text: string): number => text.length * MS_PER_CHARACTER;

/** A `text` message of the bot's ("Text tokens message"), with `flags` over it. */
export const token = (t: string, last: boolean, flags: Record<string, unknown> = {}) => ({
  type: "text",
  token: t,
  last,
  ...flags,
});

/** A `play` message of the bot's ("Play media message"), with `flags` over it. */
export const play = (flags: Record<string, unknown> = {}) => ({
  type: "play",
  source: "https://example.com/hold.mp3",
  ...flags,
});
