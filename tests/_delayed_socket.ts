// One end of a socket behind a network on the fake clock: what it receives and what it sends each
// wait a delay, in order (a WebSocket's messages arrive in the order sent, over one TCP stream:
// RFC 6455 §1.2), a close after the messages before it.
import type { Clock } from "../src/clock.ts";
import type { MemorySocket } from "../src/testing/memory_socket.ts";
import { MemorySocketWrapper } from "./_memory_socket_wrapper.ts";

/** The delay (ms) of each message one way: a number for a fixed one, a function for jitter. */
export type Delay = number | (() => number);

/** How long what the wrapped end receives, and what it sends, each take to get there. */
export interface Delays {
  receiveMs: Delay;
  sendMs: Delay;
}

/** A seeded uniform generator in [0, 1): the same network on every run. */
export function seededUniform(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
}

/** `inner` with both of its directions delayed on `clock`, none overtaking the one before it. */
export class DelayedSocket extends MemorySocketWrapper {
  readonly #clock: Clock;
  readonly #sendMs: () => number;
  #receivedAfter = 0;
  #sentAfter = 0;

  constructor(inner: MemorySocket, clock: Clock, delays: Delays) {
    super(inner);
    this.#clock = clock;
    const receiveMs = asFunction(delays.receiveMs);
    this.#sendMs = asFunction(delays.sendMs);
    inner.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      this.#receivedAfter = this.#after(this.#receivedAfter, receiveMs(), () => {
        this.dispatchEvent(Object.assign(new Event("message"), { data }));
      });
    });
    inner.addEventListener("close", (event) => {
      const { code, reason } = event as CloseEvent;
      this.#receivedAfter = this.#after(this.#receivedAfter, receiveMs(), () => {
        this.dispatchEvent(Object.assign(new Event("close"), { code, reason, wasClean: true }));
      });
    });
  }

  send(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#sentAfter = this.#after(this.#sentAfter, this.#sendMs(), () => {
      if (this.inner.readyState === 1) this.inner.send(data as string | ArrayBuffer);
    });
  }
  close(code?: number, reason?: string): void {
    this.inner.close(code, reason);
  }

  /**
   * Runs `action` `ms` from now, not before `notBefore` (the message before it); returns when it
   * runs. At once (in order) when it is due now, so that a network of no delay changes nothing.
   */
  #after(notBefore: number, ms: number, action: () => void): number {
    const now = this.#clock.now();
    const at = Math.max(notBefore, now + ms);
    if (at <= now) action();
    else void this.#clock.sleep(at - now).then(action);
    return at;
  }
}

function asFunction(delay: Delay): () => number {
  return typeof delay === "number" ? () => delay : delay;
}
