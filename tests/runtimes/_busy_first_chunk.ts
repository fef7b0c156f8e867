/**
 * An observer for the runtime servers that check where audio is told to play after work: it
 * keeps what observers were told of each chunk (the moves they were told applied) and blocks the
 * event loop `workMs` on the first chunk, as a heavy observer or a GC pause would. Plain
 * TypeScript with no runtime's API, so Node's and Bun's servers both run it.
 *
 * @module
 */

import type { OutboundAudioInfo, SessionObserver } from "../../src/session_observer.ts";

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
