/**
 * The demo's bot: an echo. What comes in goes back out, in order, after an optional delay.
 *
 * @module
 */

import { type Clock, type Frame, systemClock, type WebSocketTransport } from "@x/ws-transport";

/** 16 kHz mono PCM16: bytes per millisecond, for bounding what the delay line may hold. */
const BYTES_PER_MS = 32;
/** How much audio beyond `delayMs` the delay line holds before dropping its oldest frames. */
const SLACK_MS = 5000;

/** Options for {@linkcode runEcho}. */
export interface EchoOptions {
  /**
   * How long each frame waits, from its arrival, before it is written back.
   *
   * @default {0}
   */
  delayMs?: number;
  /**
   * The time source for the delay.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/** What an echo session did, for a one-line log when it ends. */
export interface EchoSummary {
  /** Audio frames read. */
  audioFramesIn: number;
  /** Message frames read (interrupts included). */
  messagesIn: number;
  /** `{"type":"interrupt"}` messages acted on. */
  interrupts: number;
  /**
   * Audio frames dropped from the delay line: by interrupts, because it overflowed, or still
   * waiting in it when the session ended; and those whose write failed, or came after one did.
   */
  audioFramesDropped: number;
}

interface Pending {
  frame: Frame;
  due: number;
}

/**
 * Echoes a session until it ends: audio and message frames are written back to
 * `transport.writable` in the order they came, each at its arrival time plus `delayMs`; a
 * `{"type":"interrupt"}` message instead drops the audio still waiting here and calls
 * `transport.interrupt()`, which drops what the transport has queued.
 *
 * Reading never waits for writing: frames wait in a delay line (a FIFO, one write in flight, one
 * timer for its head and only while the head is not yet due), so an interrupt is seen at once even
 * while the transport holds the writer back to real time. With no delay a frame is handed to the
 * writer as it arrives: no timer, no extra promise. The line is bounded (`delayMs` plus 5 s of
 * audio); past that the oldest audio goes, counted.
 *
 * @example Echoing a session on an in-memory socket
 * ```ts
 * import { runEcho } from "./echo_session.ts";
 * import { WebSocketTransport } from "@x/ws-transport";
 * import { MemorySocketPair } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * const { server, client } = new MemorySocketPair();
 * const transport = new WebSocketTransport(server, { audioOut: { sampleRate: 16000, chunkMs: 20 } });
 * const echo = runEcho(transport, { delayMs: 10 });
 * const received: unknown[] = [];
 * client.addEventListener("message", (e) => received.push((e as MessageEvent).data));
 * client.send('{"type":"ping","t":1}');
 * await client.waitFor(() => received.length === 1);
 * assert.deepEqual(received, ['{"type":"ping","t":1}']);
 * client.close(1000);
 * assert.equal((await echo).messagesIn, 1);
 * ```
 */
export async function runEcho(
  transport: WebSocketTransport,
  options: EchoOptions = {},
): Promise<EchoSummary> {
  const delayMs = options.delayMs ?? 0;
  const clock = options.clock ?? systemClock;
  const maxPendingBytes = (delayMs + SLACK_MS) * BYTES_PER_MS;
  const summary: EchoSummary = {
    audioFramesIn: 0,
    messagesIn: 0,
    interrupts: 0,
    audioFramesDropped: 0,
  };
  // A plain array as FIFO: it holds at most a few hundred entries, so shift() stays cheap.
  let pending: Pending[] = [];
  let pendingBytes = 0;
  /** The frame being written, while its write is in flight. */
  let writing: Frame | null = null;
  let writeFailed = false;
  /** Set while a timer waits for the head to fall due; aborting it cancels the timer. */
  let timer: AbortController | null = null;
  const writer = transport.writable.getWriter();
  let allWritten: () => void = () => {};

  const written = () => {
    writing = null;
    pump();
  };
  const failed = () => {
    // The writable failed: the session is ending. Reading goes on until the readable ends.
    writeFailed = true;
    if (writing?.type === "audio") summary.audioFramesDropped++;
    writing = null;
    dropAll();
    pump();
  };
  /** Hands due frames to the writer, one write in flight at a time. */
  function pump(): void {
    if (writing !== null || timer !== null) return;
    const head = pending[0];
    if (head === undefined) return allWritten();
    // With no delay every frame is due: no clock read (a call into the runtime) per frame.
    const wait = delayMs > 0 ? head.due - clock.now() : 0;
    if (wait > 0) {
      const armed = new AbortController();
      timer = armed;
      clock.sleep(wait, armed.signal).then(() => {
        timer = null;
        pump();
      }, () => {/* cancelled by an interrupt, which pumps itself */});
      return;
    }
    pending.shift();
    if (head.frame.type === "audio") pendingBytes -= head.frame.audio.length;
    writing = head.frame;
    writer.write(head.frame).then(written, failed);
  }

  const cancelTimer = () => {
    timer?.abort();
    timer = null;
  };

  const dropAudio = (keep: (item: Pending) => boolean) => {
    const kept = pending.filter((item) => item.frame.type !== "audio" || keep(item));
    summary.audioFramesDropped += pending.length - kept.length;
    pending = kept;
    pendingBytes = 0;
    for (const { frame } of pending) if (frame.type === "audio") pendingBytes += frame.audio.length;
  };

  /** Empties the delay line (the session is ending), its audio counted as dropped. */
  function dropAll(): void {
    dropAudio(() => false);
    pending = [];
  }

  try {
    for await (const frame of transport.readable) {
      if (frame.type === "message") {
        summary.messagesIn++;
        if (isInterrupt(frame.message)) {
          summary.interrupts++;
          dropAudio(() => false);
          cancelTimer();
          await transport.interrupt();
          pump(); // messages that were waiting still go back
          continue;
        }
      } else if (frame.type === "audio") {
        summary.audioFramesIn++;
      } else {
        continue; // raw PCM only ever carries audio and messages
      }
      if (writeFailed) {
        // The session is ending: nothing more goes back.
        if (frame.type === "audio") summary.audioFramesDropped++;
        continue;
      }
      if (frame.type === "audio") pendingBytes += frame.audio.length;
      pending.push({ frame, due: delayMs > 0 ? clock.now() + delayMs : 0 });
      if (pendingBytes > maxPendingBytes) {
        let excess = pendingBytes - maxPendingBytes;
        dropAudio((item) => {
          if (excess <= 0 || item.frame.type !== "audio") return true;
          excess -= item.frame.audio.length;
          return false;
        });
      }
      pump();
    }
  } finally {
    // The session is over (the readable ends when the socket closes): what waits is for no one.
    dropAll();
    cancelTimer();
  }
  if (writing !== null) await new Promise<void>((resolve) => (allWritten = resolve));
  try {
    await writer.close();
  } catch {
    // The session ended under the close: nothing is left to send to.
  }
  return summary;
}

function isInterrupt(message: unknown): boolean {
  return typeof message === "object" && message !== null &&
    (message as { type?: unknown }).type === "interrupt";
}
