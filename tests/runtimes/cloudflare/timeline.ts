/**
 * The question the test Worker's sessions answer with when each of their binary messages left
 * (see `test_worker.ts`); its own module because a Worker's module may export only handlers.
 *
 * @module
 */

/** The text message a session answers with `{ sends: number[] }` (`performance.now()`, ms). */
export const TIMELINE = "timeline?";
