// A server's shutdown, given to the Deno adapter as `shutdownSignal`, ends each live call cleanly
// and lets no new one begin. The far end's view, from the RFCs: RFC 6455, 7.4.1, "1001 indicates
// that an endpoint is 'going away', such as a server going down"; RFC 9110, 15.6.4, "503 (Service
// Unavailable) ... the server is currently unable to handle the request due to a temporary
// overload or scheduled maintenance". Real server on 127.0.0.1 port 0, real client.
import assert from "node:assert/strict";
import { JsonSerializer, type WebSocketTransport } from "../../mod.ts";
import { type DenoUpgradeOptions, sessionsEnded, upgrade } from "../../src/adapters/deno.ts";
import { within, WsClient } from "../_ws_client.ts";
import { assertFarewellCutAtGrace, assertSaidGoingAway } from "./_shutdown_checks.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

/** Serves `upgrade` with a JSON serializer per call and `options`, echoing each session. */
function serve(options: DenoUpgradeOptions) {
  const sessions: WebSocketTransport[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, {
      serializer: new JsonSerializer(),
      ...options,
    });
    if (transport !== null) {
      sessions.push(transport);
      void transport.readable.pipeTo(transport.writable).catch(() => {});
    }
    return response;
  });
  const { port } = server.addr;
  return { server, sessions, url: `ws://127.0.0.1:${port}/`, http: `http://127.0.0.1:${port}/` };
}

/** A client whose session is up both ends: a message sent has come back. */
async function connectedClient(url: string): Promise<WsClient> {
  const client = await WsClient.open(url);
  client.send('{"type":"message","message":"hello"}');
  await client.next();
  return client;
}

Deno.test("Deno `upgrade`: aborting `shutdownSignal` says each session's goodbye, closes it with 1001 and refuses new upgrades with 503", async () => {
  const shutdown = new AbortController();
  const { server, sessions, url, http } = serve({ shutdownSignal: shutdown.signal });
  const clients = [await connectedClient(url), await connectedClient(url)];
  assert.equal(sessions.length, 2);

  shutdown.abort();
  for (const client of clients) {
    await assertSaidGoingAway(client);
  }
  await within(sessionsEnded(shutdown.signal), 3000, "the end of every session");
  for (const session of sessions) {
    assert.deepEqual(await session.closed, {
      code: 1001,
      reason: "going away",
      initiator: "local",
    });
  }

  const refused = await fetch(upgradeRequest({ url: http }));
  assert.equal(refused.status, 503);
  await refused.body?.cancel();
  assert.equal(sessions.length, 2, "no session began after the shutdown");
  await server.shutdown();
});

Deno.test("Deno `upgrade`: a request still being authorized when the shutdown begins is refused with 503", async () => {
  const shutdown = new AbortController();
  const asked = Promise.withResolvers<void>();
  const answer = Promise.withResolvers<boolean>();
  const { server, sessions, http } = serve({
    shutdownSignal: shutdown.signal,
    authorize: () => (asked.resolve(), answer.promise),
  });
  const response = fetch(upgradeRequest({ url: http }));
  await asked.promise;
  shutdown.abort();
  answer.resolve(true);
  const refused = await response;
  assert.equal(refused.status, 503);
  await refused.body?.cancel();
  assert.equal(sessions.length, 0);
  await sessionsEnded(shutdown.signal); // none began: settled at once
  await server.shutdown();
});

Deno.test("Deno `upgrade`: the shutdown refuses a request whose `authorize` has not answered at once (503), not after `authorizeTimeoutMs`", async () => {
  // A lookup that hangs held the request, and `server.shutdown()` after `sessionsEnded`, for up
  // to `authorizeTimeoutMs` (10 s by default).
  const shutdown = new AbortController();
  const asked = Promise.withResolvers<void>();
  const answer = Promise.withResolvers<boolean>();
  const { server, sessions, http } = serve({
    shutdownSignal: shutdown.signal,
    authorize: () => (asked.resolve(), answer.promise),
  });
  try {
    const response = fetch(upgradeRequest({ url: http }));
    await asked.promise;
    shutdown.abort();
    const refused = await within(response, 3000, "the refusal");
    assert.equal(refused.status, 503);
    await refused.body?.cancel();
    assert.equal(sessions.length, 0);
  } finally {
    answer.resolve(true); // the lookup's late yes lets in no one
    await within(server.shutdown(), 3000, "the server's shutdown");
  }
  assert.equal(sessions.length, 0);
});

Deno.test("Deno `upgrade`: a `shutdownSignal` that is no AbortSignal is a TypeError naming it", async () => {
  const request = upgradeRequest();
  const shutdownSignal = new AbortController() as unknown as AbortSignal;
  await assert.rejects(
    upgrade(request, { shutdownSignal }),
    {
      name: "TypeError",
      message: /^shutdownSignal must be an AbortSignal, got an? AbortController$/,
    },
  );
});

Deno.test("Deno `upgrade`: past `shutdownGraceMs`, a session playing its farewell gets the shutdown's goodbye and 1001", async () => {
  const shutdown = new AbortController();
  const sessions: WebSocketTransport[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { transport, response } = await upgrade(request, {
      serializer: new JsonSerializer(),
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      shutdownSignal: shutdown.signal,
      shutdownGraceMs: 200,
    });
    if (transport !== null) {
      sessions.push(transport);
      // The bot's last words as it answers: a minute of speech, then its `end`.
      transport.addEventListener("connected", () => {
        transport.send({
          type: "audio",
          audio: new Uint8Array(1_920_000),
          sampleRate: 16000,
          channels: 1,
        });
        void transport.send({ type: "end" });
      });
    }
    return response;
  });
  try {
    const client = await WsClient.open(`ws://127.0.0.1:${server.addr.port}/`);
    await assertFarewellCutAtGrace(client, () => sessions[0]!, shutdown, 1_920_000);
  } finally {
    await server.shutdown();
  }
});

Deno.test("Deno `upgrade`: a `shutdownGraceMs` that is no finite number >= 0 is refused, naming it", async () => {
  const request = upgradeRequest();
  await assert.rejects(upgrade(request, { shutdownGraceMs: -1 }), {
    name: "RangeError",
    message: "shutdownGraceMs must be a finite number >= 0, got -1",
  });
});
