/**
 * The load benchmark's floor, runtime-neutral: an echo that sends each binary message back no
 * earlier than `anchor + n × interval − ahead` (n counts messages since the anchor; the anchor
 * is reset when the session is idle: nothing queued and the next slot already past). No chunking,
 * no serializer, one timer per session at most. `bare_echo.ts` (Deno), `bare_echo_node.ts`
 * (Node + `ws`) and `bare_echo_bun.ts` (Bun) wrap it around their runtime's socket, so each
 * runtime's adapter is judged against the same algorithm on the same runtime.
 *
 * @example Three messages in a burst leave one interval apart, the first at once
 * ```ts
 * import { pacedEcho } from "./paced_echo.ts";
 * import assert from "node:assert/strict";
 *
 * const sent: number[] = [];
 * const echo = pacedEcho({ send: (data: number) => sent.push(data), intervalMs: 5, aheadMs: 0 });
 * for (const n of [1, 2, 3]) echo.receive(n);
 * assert.deepEqual(sent, [1]);
 * await new Promise((resolve) => setTimeout(resolve, 30));
 * assert.deepEqual(sent, [1, 2, 3]);
 * echo.close();
 * ```
 *
 * @module
 */

/** Options for {@linkcode pacedEcho}. */
export interface PacedEchoOptions<T> {
  /** Sends one message back. */
  send: (data: T) => void;
  /** The slot per message (ms); 0 echoes at once, unpaced. */
  intervalMs: number;
  /** How far ahead of its slot a message may leave (ms): the target's send-ahead. */
  aheadMs: number;
  /** Drops every Nth message silently (0: none), so the harness can prove losses are counted. */
  dropEvery?: number;
}

/** One session's paced echo. */
export interface PacedEcho<T> {
  /** A message came in: echo it in its slot. */
  receive(data: T): void;
  /** The session is over: forget what is queued, clear the timer. */
  close(): void;
}

/** Makes a paced echo for one session. */
export function pacedEcho<T>(options: PacedEchoOptions<T>): PacedEcho<T> {
  const { send, intervalMs, aheadMs } = options;
  const dropEvery = options.dropEvery ?? 0;
  let anchor = NaN;
  let scheduled = 0;
  let received = 0;
  // Pending echoes with their deadlines; plain arrays used as FIFOs (almost always empty or one
  // long, so shift() costs nothing here).
  const queue: T[] = [];
  const deadlines: number[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (deadlines.length > 0 && deadlines[0]! <= now) {
      deadlines.shift();
      send(queue.shift()!);
    }
    if (deadlines.length > 0) timer = setTimeout(flush, deadlines[0]! - now);
  };

  return {
    receive(data: T): void {
      received++;
      if (dropEvery > 0 && received % dropEvery === 0) return;
      const now = performance.now();
      if (!(now <= anchor + scheduled * intervalMs)) {
        anchor = now;
        scheduled = 0;
      }
      const deadline = anchor + scheduled * intervalMs - aheadMs;
      scheduled++;
      if (deadline <= now && queue.length === 0) return send(data);
      queue.push(data);
      deadlines.push(deadline);
      if (timer === undefined) timer = setTimeout(flush, deadline - now);
    },
    close(): void {
      clearTimeout(timer);
      timer = undefined;
      queue.length = 0;
      deadlines.length = 0;
    },
  };
}

/** Reads `--interval-ms`, `--ahead-ms` and `--drop-every` from a command line, checked. */
export function pacedEchoArgs(args: string[]): Omit<PacedEchoOptions<unknown>, "send"> {
  const value = (name: string, fallback: number) => {
    const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return fallback;
    const text = args[i]!.includes("=") ? args[i]!.split("=")[1]! : args[i + 1]!;
    const n = Number(text);
    if (!(n >= 0)) throw new RangeError(`--${name} must be a number >= 0, got ${text}`);
    return n;
  };
  return {
    intervalMs: value("interval-ms", 20),
    aheadMs: value("ahead-ms", 0),
    dropEvery: value("drop-every", 0),
  };
}
