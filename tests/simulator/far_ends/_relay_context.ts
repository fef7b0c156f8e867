/**
 * A ConversationRelay far end opened on a playout queue the test drains by hand (`played(ms)` of
 * it has been heard), on the do-nothing context of `_context.ts`: the bot's audio joins the queue
 * at 8 kHz, the bot's clear empties it (counted), the platform's own drop (far_end.ts
 * `dropQueued`, ConversationRelay's preemptible talk cycles) takes its span out of what is
 * queued, and what the platform sends the bot is kept, parsed.
 *
 * @module
 */

import {
  ConversationRelayFarEnd,
  ENDPOINT_MS,
} from "../../../src/simulator/far_ends/conversation_relay.ts";
import { farEndContext } from "./_context.ts";

/** The far end and what the test reads of its queue and its messages. */
export interface HandDrainedRelay {
  far: ConversationRelayFarEnd;
  /** What the platform sent the bot, in order, parsed. */
  fromPlatform: Record<string, unknown>[];
  /** The platform's `interrupt` messages among them. */
  interrupts(): Record<string, unknown>[];
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

/** See the module doc. */
export function handDrainedRelay(): HandDrainedRelay {
  let queuedMs = 0;
  let clears = 0;
  const fromPlatform: Record<string, unknown>[] = [];
  const far = new ConversationRelayFarEnd({});
  far.open(farEndContext({
    play: (samples) => void (queuedMs += (samples.length * 1000) / 8000),
    queuedMs: () => queuedMs,
    clear: () => void (queuedMs = 0, clears++),
    dropQueued: (fromMs, toMs) => void (queuedMs -= Math.max(0, Math.min(toMs, queuedMs) - fromMs)),
    send: (m) => void fromPlatform.push(JSON.parse(m as string)),
  }));
  return {
    far,
    fromPlatform,
    interrupts: () => fromPlatform.filter((m) => m.type === "interrupt"),
    played: (ms) => void (queuedMs = Math.max(0, queuedMs - ms)),
    speaks: () => {
      far.sendAudio(new Int16Array(160).map((_, i) => (i % 2 ? 10_000 : -10_000)));
      for (let ms = 0; ms <= ENDPOINT_MS + 40; ms += 20) far.sendAudio(new Int16Array(160));
    },
    queuedMs: () => queuedMs,
    clears: () => clears,
  };
}
