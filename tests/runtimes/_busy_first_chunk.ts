/**
 * An observer for the runtime servers that check where audio is told to play after work: it
 * keeps what observers were told of each chunk (the moves they were told applied) and blocks the
 * event loop `workMs` on the first chunk, as a heavy observer or a GC pause would; and the bot
 * Bun's message-task servers run with it (`answerReportingPlaces`). Plain TypeScript with no
 * runtime's API, so Node's and Bun's servers both run it.
 *
 * @module
 */

import type { OutboundAudioInfo, SessionObserver } from "../../src/session_observer.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

/** The observer, and what it was told; `beforeWork` runs on the first chunk, before the work. */
export function busyFirstChunk(workMs: number, beforeWork: () => void = () => {}) {
  const told: OutboundAudioInfo[] = [];
  const observer: SessionObserver = {
    outboundAudio(_chunk, info) {
      told.push({ ...info });
      if (told.length > 1) return;
      beforeWork();
      const until = performance.now() + workMs;
      while (performance.now() < until) { /* the observer's work */ }
    },
    playoutMoved(info) {
      for (const chunk of told) {
        if (chunk.position >= info.position - 1e-6) {
          chunk.playsAt = info.playsAt + (chunk.position - info.position);
        }
      }
    },
  };
  return { observer, told };
}

/**
 * The message-task servers' bot: observed by {@linkcode busyFirstChunk} (`workMs`), it answers
 * the caller's first audio with `replyMs` of 16 kHz mono audio, then, 300 ms on, sends where
 * each of the reply's chunks was told to play (`{ places: [{ position, playsAt, sentAt }] }`).
 */
export function answerReportingPlaces(
  transport: WebSocketTransport,
  replyMs: number,
  workMs: number,
): void {
  const { observer, told } = busyFirstChunk(workMs);
  transport.observe(observer);
  let answered = false;
  transport.receive((frame) => {
    if (frame.type !== "audio" || answered) return;
    answered = true;
    void transport.send({
      type: "audio",
      audio: new Uint8Array(replyMs * 32).fill(7), // 32 bytes a ms: 16 kHz mono PCM16
      sampleRate: 16000,
      channels: 1,
    });
    setTimeout(() => {
      const places = told.map(({ position, playsAt, sentAt }) => ({ position, playsAt, sentAt }));
      void transport.send({ type: "message", message: { places } });
    }, 300);
  });
}
