// What a shutdown does to a session, checked alike for every adapter: what a client of a JSON
// session sees of its goodbye, a farewell cut at the grace, Genesys's closing sequence left whole.
import assert from "node:assert/strict";
import type { WebSocketTransport } from "../../mod.ts";
import {
  followShutdown,
  sessionsEnded,
  type ShutdownOptions,
} from "../../src/adapters/_shutdown.ts";
import { audioHookSession } from "../serializers/fixtures/audiohook_session.ts";
import { within, type WsClient } from "../_ws_client.ts";
import { readStatusLine, sendRawUpgrade } from "./_raw_upgrade.ts";

/**
 * Checks that `client`'s session ended with the shutdown's goodbye: the serializer's `cancel`
 * (JsonSerializer's) as the last message, then the close 1001 "going away".
 */
export async function assertSaidGoingAway(client: WsClient): Promise<void> {
  const closed = await within(client.closed, 3000, "the client's close");
  assert.deepEqual({ code: closed.code, reason: closed.reason }, {
    code: 1001,
    reason: "going away",
  });
  assert.equal(client.texts.at(-1), '{"type":"cancel"}'); // the serializer's goodbye first
}

/**
 * Checks that a shutdown (aborted `abortAfterMs` after the bot's `end`, with `shutdownGraceMs`)
 * leaves a Genesys session's closing sequence to finish: the server's `disconnect` answered by
 * the client's `close` 300 ms late, the server's `closed`, then the client closes the socket
 * (Genesys Cloud resource center, "What happens during a successful session between Genesys
 * Cloud and your AudioHook server?"), with nothing sent after `closed` and no error.
 */
export async function assertGenesysClosingSequenceFinishes(
  { abortAfterMs, shutdownGraceMs }: { abortAfterMs: number; shutdownGraceMs?: number },
): Promise<void> {
  const { clock, transport, errors, client } = audioHookSession({}, { answersDisconnect: false });
  const shutdown = new AbortController();
  const follow: ShutdownOptions = { shutdownSignal: shutdown.signal };
  if (shutdownGraceMs !== undefined) follow.shutdownGraceMs = shutdownGraceMs;
  followShutdown(transport, follow);
  const reader = transport.readable.getReader();
  client.open();
  await reader.read(); // the bot's `start`
  void transport.send({ type: "end" });
  await clock.tick(0);
  const types = () => client.seen.map((m) => ("type" in m ? m.type : "binary"));
  assert.deepEqual(types(), ["opened", "disconnect"]);

  await clock.tick(abortAfterMs);
  shutdown.abort();
  await clock.tick(300 - abortAfterMs);
  client.close("disconnect");
  await clock.tick(2000);
  await sessionsEnded(shutdown.signal);

  assert.deepEqual(types(), ["opened", "disconnect", "closed"]);
  assert.deepEqual(client.violations, []);
  // The client closed the socket after `closed`, without a code, as the reference client does.
  assert.deepEqual(await transport.closed, { code: 1005, reason: "", initiator: "local" });
  assert.deepEqual(errors, []);
  for (;;) if ((await reader.read()).done) break;
  await clock.runAll();
}

/**
 * Checks, on a real server whose one session (`session`) plays a farewell of `farewellBytes` and
 * then its `end`, given a `shutdownGraceMs` shorter than the farewell: the shutdown's goodbye
 * comes at the grace's end, the rest of the farewell dropped and counted.
 */
export async function assertFarewellCutAtGrace(
  client: WsClient,
  session: () => WebSocketTransport,
  shutdown: AbortController,
  farewellBytes: number,
): Promise<void> {
  await client.waitFor(() => client.texts.length > 0, 3000, "the farewell's first audio");
  assert.equal(session().ending, true);
  shutdown.abort();
  await assertSaidGoingAway(client);
  await within(sessionsEnded(shutdown.signal), 3000, "the end of every session");
  const { audioBytesSent, audioBytesDroppedOnClose } = session().stats;
  assert.ok(audioBytesDroppedOnClose > 0, "the rest of the farewell dropped, counted");
  assert.equal(audioBytesSent + audioBytesDroppedOnClose, farewellBytes);
}

/** Checks that the server on `port` answers an upgrade with 503 once its shutdown has begun. */
export async function assertRefusesUpgrades(port: number): Promise<void> {
  const conn = await sendRawUpgrade(port);
  try {
    assert.equal(await readStatusLine(conn), "HTTP/1.1 503 Service Unavailable");
  } finally {
    conn.close();
  }
}
