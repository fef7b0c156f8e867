/**
 * A test Worker (one entry, bundled) served by workerd through Miniflare on 127.0.0.1, port 0:
 * what the tests that need workerd's own handling of a connection start with.
 *
 * @module
 */

import { Miniflare } from "miniflare";
import { type HostedMiniflare, hostMiniflare } from "../miniflare_sanitizers.ts";
import { bundleWorker } from "./worker_bundle.ts";

/**
 * The Worker at `entry`, hosted and ready: its URL, and how to dispose of it. `more` adds to
 * Miniflare's options (the Worker's Durable Objects, say).
 */
export async function hostWorker(
  entry: URL,
  compatibilityDate = "2026-07-01",
  more: { durableObjects?: Record<string, { className: string; useSQLite?: boolean }> } = {},
): Promise<{ url: URL; hosted: HostedMiniflare<Miniflare> }> {
  const script = await bundleWorker(entry);
  const hosted = await hostMiniflare(() =>
    new Miniflare({
      modules: true,
      script,
      compatibilityDate,
      cf: false,
      host: "127.0.0.1",
      port: 0,
      ...more,
    })
  );
  return { url: await hosted.miniflare.ready, hosted };
}
