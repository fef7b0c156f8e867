// A Worker that closes the session itself right after `upgrade` (its own set-up failed) and then
// answers 500 in place of the 101: the session ends at `closeTimeoutMs`, its close unanswered, as
// no client has the pair's other end. The check of a 101 never sent used to be dropped at the
// session's end (`transport.closed`), well before `openTimeoutMs`: the server end then stayed
// CLOSING, its close never answered (seen in workerd at both compatibility dates: readyState 2
// past the bound, no "close"), the socket and the session's listeners kept by workerd. The check
// runs to the bound where the session ended with its close unanswered, and closes the pair: workerd
// then reports the server end's close (readyState 3), and frees it.
import assert from "node:assert/strict";
import { miniflareSanitizers } from "../runtimes/miniflare_sanitizers.ts";
import { hostWorker } from "../runtimes/cloudflare/hosted_worker.ts";
import { UPGRADE_HEADERS } from "./_upgrade_request.ts";
import { logUntil } from "./_worker_log.ts";

// Before and after workerd answers a close itself (compatibility date 2026-04-07).
for (const date of ["2026-03-01", "2026-07-01"]) {
  Deno.test({
    name:
      `Cloudflare \`upgrade\` in workerd (${date}): a session the Worker closed before throwing its 101 away has its pair closed at \`openTimeoutMs\``,
    ...miniflareSanitizers,
    async fn() {
      const { url, hosted } = await hostWorker(
        new URL("./_cloudflare_closed_unsent_worker.ts", import.meta.url),
        date,
      );
      try {
        const answer = await fetch(new URL("/worker", url), { headers: UPGRADE_HEADERS });
        assert.equal(answer.status, 500);
        await answer.body?.cancel();
        const log = await logUntil(url, "/log", (log) => log.some((e) => e.startsWith("past")));
        // The close's own bound: nothing answered it. Nothing is told the session after its end.
        assert.deepEqual(log, [
          "session error timeout",
          "session closed 1011",
          "server end closed",
          "past the bound: server end readyState 3",
        ]);
      } finally {
        await hosted.dispose();
      }
    },
  });
}
