// Bun's own `server.stop(true)` closing a session that was already ending (see
// `bun_server_stop_test.ts` for one that was not): the close Bun made is this side's, which
// `startSession` has the transport take as its own `close` (`EventSocket.onClosedHere`) before the
// "close" is heard. Whatever the session was doing then, it ends once, as this side's, reports
// nothing twice and keeps its counts: a farewell playing (its audio and `end` counted dropped), a
// listener that throws as the farewell is cut (reported once), a close of its own under way (its
// code stands), the adapter's shutdown begun (`sessionsEnded` settles). A real Bun, 127.0.0.1
// port 0.
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import bunPackage from "@oven/bun-linux-x64/package.json" with { type: "json" };
import { bunReport } from "./bun/_bun_binary.ts";

/** What `./bun/server_stop_closing_session.ts` printed for `scenario`. */
function outcomeOf(scenario: string): Promise<unknown> {
  return bunReport([
    fromFileUrl(import.meta.resolve("./bun/server_stop_closing_session.ts")),
    scenario,
  ]);
}

const STOPPED = { code: 1001, reason: "Server closed", initiator: "local" };
// The audio queued and the bot's `end`, which never left.
const FAREWELL_DROPPED = { audio: true, frames: 1 };

Deno.test(`Bun ${bunPackage.version}: \`server.stop(true)\` under a farewell ends the session once, as this side's, its audio and \`end\` counted dropped`, async () => {
  assert.deepEqual(await outcomeOf("farewell"), {
    closed: STOPPED,
    disconnected: false,
    errors: [],
    ended: true,
    dropped: FAREWELL_DROPPED,
  });
});

Deno.test(`Bun ${bunPackage.version}: a listener that throws as \`server.stop(true)\` cuts the farewell is reported once, and the close stays Bun's`, async () => {
  assert.deepEqual(await outcomeOf("throwing"), {
    closed: STOPPED,
    disconnected: false,
    errors: ['application: a "speakingstop" listener threw: Error: speakingstop listener threw'],
    ended: true,
    dropped: FAREWELL_DROPPED,
  });
});

Deno.test(`Bun ${bunPackage.version}: \`server.stop(true)\` during the session's own close leaves that close's code`, async () => {
  assert.deepEqual(await outcomeOf("closing"), {
    closed: { code: 4000, reason: "bye", initiator: "local" },
    disconnected: false,
    errors: [],
    ended: true,
    dropped: FAREWELL_DROPPED,
  });
});

// Aborted in the same turn, the shutdown's goodbye (a `cancel`) has not left when Bun closes: it
// is counted dropped, and the session ends with the close the peer was sent.
Deno.test(`Bun ${bunPackage.version}: \`server.stop(true)\` right after the adapter's \`shutdownSignal\` aborts ends the session once, and \`sessionsEnded\` settles`, async () => {
  assert.deepEqual(await outcomeOf("shutdown"), {
    closed: STOPPED,
    disconnected: false,
    errors: [],
    ended: true,
    dropped: { audio: false, frames: 1 },
  });
});
