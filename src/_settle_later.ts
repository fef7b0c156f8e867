/**
 * A promise with its resolve and reject functions, as `Promise.withResolvers()` gives them, made
 * without it: Node 20, a runtime the module supports, has no `Promise.withResolvers` (Node 22 came
 * with it), and a call to it there throws a `TypeError`.
 *
 * @module
 */

/** A promise and the functions that settle it. */
export interface SettleLater<T> {
  /** The promise. */
  promise: Promise<T>;
  /** Fulfils it (or has it follow a promise given). */
  resolve: (value: T | PromiseLike<T>) => void;
  /** Rejects it. */
  reject: (reason?: unknown) => void;
}

/** A new pending promise with its resolve and reject functions. */
export function settleLater<T>(): SettleLater<T> {
  let resolve!: SettleLater<T>["resolve"];
  let reject!: SettleLater<T>["reject"];
  const promise = new Promise<T>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise;
    reject = rejectPromise;
  });
  return { promise, resolve, reject };
}
