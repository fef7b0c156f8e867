/**
 * {@linkcode ReplayGuard}: refusing a signed request seen before, and {@linkcode MemoryReplayGuard},
 * a bounded in-memory one.
 *
 * @module
 */

/**
 * Remembers which signed requests have been seen, so that a captured request sent again is
 * refused. `verifyTwilioSignature`, `verifyPlivoSignature` and `verifyTelnyxSignature` take one
 * as `replayGuard` and call {@linkcode ReplayGuard.claim} once a signature has verified (never
 * before: an unverified request must not be able to use up a key).
 *
 * Back it with your own store to share it between instances (a Durable Object, a database, …):
 * `claim` must be atomic (check and record in one step) or two copies of a request arriving at
 * once may both pass. Cloudflare KV is eventually consistent and has no compare-and-set, so it
 * narrows the window but cannot close it; a Durable Object (one thread per object) can.
 *
 * @example A guard kept in a Durable Object's storage (sketch)
 * ```ts
 * import type { ReplayGuard } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * interface Storage {
 *   get(key: string): Promise<number | undefined>;
 *   put(key: string, value: number): Promise<void>;
 * }
 * function storageGuard(storage: Storage, windowMs: number): ReplayGuard {
 *   return {
 *     async claim(key, expiresAt = Date.now() + windowMs) {
 *       const seen = await storage.get(key);
 *       if (seen !== undefined && seen > Date.now()) return false;
 *       await storage.put(key, expiresAt); // an alarm can delete expired keys
 *       return true;
 *     },
 *   };
 * }
 * const map = new Map<string, number>();
 * const guard = storageGuard({
 *   get: (key) => Promise.resolve(map.get(key)),
 *   put: (key, value) => Promise.resolve(void map.set(key, value)),
 * }, 60_000);
 * assert.equal(await guard.claim("plivo:nonce-1"), true);
 * assert.equal(await guard.claim("plivo:nonce-1"), false);
 * ```
 */
export interface ReplayGuard {
  /**
   * Records one use of `key` (a provider prefix and what identifies the signed request) and
   * answers `true` the first time, `false` while an earlier use is remembered. `expiresAt`
   * (milliseconds since the epoch) is the first moment the key may be forgotten, because the
   * signature itself is refused from then on (Telnyx: just past its timestamp plus the
   * tolerance); without it the guard keeps the key for a window of its own choosing. An
   * `expiresAt` that is not a finite number (`NaN` from a malformed timestamp) must throw, not
   * be taken for "already expired": a guard that remembers nothing lets every replay pass.
   */
  claim(key: string, expiresAt?: number): boolean | Promise<boolean>;
}

/** Options for {@linkcode MemoryReplayGuard}. */
export interface MemoryReplayGuardOptions {
  /**
   * How long a key claimed without an `expiresAt` is remembered, in milliseconds. Twilio and
   * Plivo signatures carry no time, so a replay after this window passes the guard.
   *
   * @default {300000}
   */
  windowMs?: number;
  /**
   * How many keys are remembered at most. Past it the oldest are forgotten early (so replays of
   * them pass again); size it above the number of signed requests one instance verifies within
   * the window.
   *
   * @default {100000}
   */
  maxEntries?: number;
  /**
   * The current time in milliseconds since the epoch (injectable for tests). Each claim that
   * gets a value that is not a finite number from it throws a `RangeError`.
   *
   * @default {Date.now}
   */
  now?: () => number;
}

/**
 * A {@linkcode ReplayGuard} in this instance's memory: a seen-set bounded in time (each key is
 * forgotten when it expires) and in size (`maxEntries`). It protects one process: requests that
 * a load balancer spreads over several instances need a shared store (see {@linkcode ReplayGuard}).
 *
 * @example Refusing the second use of a nonce
 * ```ts
 * import { MemoryReplayGuard } from "@x/ws-transport/telephony";
 * import assert from "node:assert/strict";
 *
 * let now = 0;
 * const guard = new MemoryReplayGuard({ windowMs: 1000, now: () => now });
 * assert.equal(guard.claim("plivo:n1"), true);
 * assert.equal(guard.claim("plivo:n1"), false);
 * now = 1000; // the window has passed: the key is forgotten
 * assert.equal(guard.claim("plivo:n1"), true);
 * ```
 */
export class MemoryReplayGuard implements ReplayGuard {
  readonly #windowMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** Key → expiry. */
  readonly #seen = new Map<string, number>();
  /**
   * The claims as `[key, expiry]` in the order made, oldest at `#head`; one whose key no longer
   * maps to its expiry is stale (forgotten, or claimed again since) and skipped. A queue apart
   * from the map because V8 leaves a hole in a `Map` for each key deleted until it next rehashes,
   * and an iteration from the front steps over every hole: forgetting the map's oldest keys
   * through it cost O(maxEntries) per claim (a million claims at the default bound took 208 s).
   */
  #order: [string, number][] = [];
  #head = 0;

  /** Makes an empty guard; see {@linkcode MemoryReplayGuardOptions}. */
  constructor(options: MemoryReplayGuardOptions = {}) {
    const windowMs = options.windowMs ?? 300_000;
    if (!Number.isFinite(windowMs) || windowMs <= 0) {
      throw new RangeError(`windowMs must be a positive number of milliseconds, got ${windowMs}`);
    }
    const maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
    if (options.now !== undefined && typeof options.now !== "function") {
      throw new TypeError(`now must be a function, got ${typeof options.now}`);
    }
    this.#windowMs = windowMs;
    this.#maxEntries = maxEntries;
    this.#now = options.now ?? Date.now;
  }

  /** How many keys are remembered now. */
  get size(): number {
    return this.#seen.size;
  }

  /**
   * See {@linkcode ReplayGuard.claim}. Throws a `RangeError` for an `expiresAt` that is not a
   * finite number, and when `now()` gives no finite number, before anything is recorded: the
   * request then fails to verify, where a key never remembered would let its replays pass.
   */
  claim(key: string, expiresAt?: number): boolean {
    if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
      throw new RangeError(
        `expiresAt must be a finite time in milliseconds since the epoch, got ${String(expiresAt)}`,
      );
    }
    const now = this.#now();
    // NaN (or a Date, whose sum with the window is a string) compares false with every expiry:
    // each claim would pass and record nothing.
    if (typeof now !== "number" || !Number.isFinite(now)) {
      throw new RangeError(`now() must return a finite number of milliseconds, got ${String(now)}`);
    }
    this.#forgetExpired(now);
    const seenUntil = this.#seen.get(key);
    if (seenUntil !== undefined && seenUntil > now) return false;
    const until = expiresAt ?? now + this.#windowMs;
    if (until > now) {
      this.#seen.set(key, until);
      this.#order.push([key, until]); // at the back: the queue stays oldest first
    } else {
      this.#seen.delete(key);
    }
    if (this.#seen.size > this.#maxEntries) this.#forget(this.#oldest()!);
    // Mostly stale or taken entries: kept to the live ones, in order. Each rebuild drops more
    // than half of what it walks, so its cost is O(1) per claim amortized, and the queue holds
    // at most about twice `maxEntries`.
    if (this.#order.length > 2 * this.#seen.size + 64) {
      this.#order = this.#order.slice(this.#head).filter(([key, until]) =>
        this.#seen.get(key) === until
      );
      this.#head = 0;
    }
    return true;
  }

  /**
   * Drops expired keys from the front. Keys mostly expire in the order they were claimed, so
   * this stops at the first live one and costs O(1) per claim amortized; a live key with an
   * earlier-expiring key behind it only delays that one's removal (memory stays bounded by
   * `maxEntries` either way).
   */
  #forgetExpired(now: number): void {
    for (let oldest = this.#oldest(); oldest !== undefined && oldest[1] <= now;) {
      this.#forget(oldest);
      oldest = this.#oldest();
    }
  }

  /** The oldest live claim, stale entries in front of it dropped; `undefined` when none. */
  #oldest(): [string, number] | undefined {
    while (this.#head < this.#order.length) {
      const entry = this.#order[this.#head]!;
      // Only a key's newest entry is live: claimed again, it maps to a later expiry.
      if (this.#seen.get(entry[0]) === entry[1]) return entry;
      this.#head++;
    }
    return undefined;
  }

  /** Forgets the oldest live claim, `oldest`. */
  #forget(oldest: [string, number]): void {
    this.#seen.delete(oldest[0]);
    this.#head++;
  }
}
