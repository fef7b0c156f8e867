/**
 * The bot of the throwing-listener servers (`deno/throwing_listener_server.ts`,
 * `bun/throwing_listener_server.ts`): every session echoes; on `/throws/<event>` or
 * `/rejects/<event>` it also has a listener for `<event>` that throws, or an async one that
 * rejects, a bug in the bot: on the transport, or for "metric" and "summary" on the session's
 * `SessionMetrics` (a caller's turn taken as ended at once: the first echo measures a "metric").
 * Every session's "error" events go to a log that `GET /log` answers with, as JSON.
 *
 * @module
 */

import { SessionMetrics } from "../../src/metrics/session_metrics.ts";
import type { WebSocketTransport } from "../../src/transport.ts";

/** What the sessions reported, in order: `<path> <error code> <message>`. */
export const log: string[] = [];

/** Runs the bot on `transport`, a session of `path`. */
export function throwingListenerBot(transport: WebSocketTransport, path: string): void {
  transport.addEventListener("error", (event) => {
    log.push(`${path} ${event.error.code} ${event.error.message}`);
  });
  const [, how, type] = path.split("/");
  if (type !== undefined && (how === "throws" || how === "rejects")) {
    const bug = new Error(`a bug in the bot's ${type} listener`);
    let target: EventTarget = transport;
    if (type === "metric" || type === "summary") {
      const metrics = target = SessionMetrics.attach(transport, { speech: false });
      metrics.callerTurnEnded();
    }
    target.addEventListener(
      type,
      how === "throws"
        ? () => {
          throw bug;
        }
        : async () => {
          await Promise.resolve();
          throw bug;
        },
    );
  }
  transport.readable.pipeTo(transport.writable).catch(() => {});
}
