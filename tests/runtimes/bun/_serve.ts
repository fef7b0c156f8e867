/**
 * `Bun.serve` as the test servers on the Bun adapter call it, typed here: the tests carry no
 * `bun-types`, and Bun's global is there only when Bun runs them.
 *
 * @module
 */

import type { BunServer, websocket } from "../../../src/adapters/bun.ts";

/** What the test servers give `Bun.serve`. */
export interface ServeOptions {
  hostname: string;
  port: number;
  fetch(request: Request, server: BunServer): Promise<Response | undefined>;
  websocket: typeof websocket;
  reusePort?: boolean;
}

/** Bun's `Bun.serve`, read from the global when called. */
export function serve(options: ServeOptions): { port: number } {
  return (globalThis as unknown as { Bun: { serve(o: ServeOptions): { port: number } } }).Bun
    .serve(options);
}
