/**
 * A start line for load runs that measure two servers at the same time (`load.ts --paired`): each
 * run waits at the gate until its clients are connected, and all are let go at one moment, so
 * their measured windows are the same seconds of the same machine. On a shared machine the
 * neighbours' bursts then fall on both sides of a comparison alike, which interleaving runs one
 * after another cannot promise.
 *
 * @module
 */

/**
 * Lets `parties` callers go at one common time, once the last of them has arrived; bounded, so a
 * party that never comes cannot hold the others forever.
 *
 * @example Two runs let go together
 * ```ts
 * import { StartGate } from "./_start_gate.ts";
 * import assert from "node:assert/strict";
 *
 * const gate = new StartGate(2, { leadMs: 100 });
 * const [a, b] = await Promise.all([gate.arrive(), gate.arrive()]);
 * assert.equal(a, b);
 * assert.ok(a > Date.now());
 * ```
 */
export class StartGate {
  readonly #parties: number;
  readonly #leadMs: number;
  readonly #timeoutMs: number;
  readonly #opened = Promise.withResolvers<number>();
  #arrived = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * A gate for `parties` callers. `leadMs` (default 300): how far after the last arrival the
   * common start lies, time for every party to pass the word on to its clients. `timeoutMs`
   * (default 60,000): how long the first arrival waits for the others before every waiter is
   * rejected.
   */
  constructor(parties: number, options: { leadMs?: number; timeoutMs?: number } = {}) {
    if (!(Number.isInteger(parties) && parties >= 1)) {
      throw new RangeError(`parties must be an integer >= 1, got ${parties}`);
    }
    this.#parties = parties;
    this.#leadMs = options.leadMs ?? 300;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Waits for every party; resolves with the common start time (`Date.now()` scale). */
  arrive(): Promise<number> {
    this.#arrived++;
    if (this.#arrived === 1 && this.#parties > 1) {
      this.#timer = setTimeout(() => {
        this.#opened.reject(
          new Error(
            `start gate: ${this.#arrived} of ${this.#parties} arrived in ${this.#timeoutMs} ms`,
          ),
        );
      }, this.#timeoutMs);
    }
    if (this.#arrived === this.#parties) {
      clearTimeout(this.#timer);
      this.#opened.resolve(Date.now() + this.#leadMs);
    }
    return this.#opened.promise;
  }
}
