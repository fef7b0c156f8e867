// A server's shutdown meets a session whose bot has already said its last words (`end`): the
// call is ending anyway, so the shutdown lets it end as it was going to, bounded by what the bot
// queued and the goodbye's own bounds. Cutting it would drop the farewell the caller is hearing
// (JSON: the rest of the audio before the `end`) or, on Genesys, break AudioHook's closing
// sequence (Genesys Cloud resource center, "What happens during a successful session between
// Genesys Cloud and your AudioHook server?": the server's `disconnect` is answered by the client's
// `close`, the server's `closed`, then the client closes the socket) with a close of our own.
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import { followShutdown, sessionsEnded } from "../../src/adapters/_shutdown.ts";
import { jsonShutdownSession } from "./_json_shutdown_session.ts";
import { assertGenesysClosingSequenceFinishes } from "./_shutdown_checks.ts";
import { audioHookSession } from "../serializers/fixtures/audiohook_session.ts";

/** One second of 16 kHz mono PCM: the bot's farewell. */
const FAREWELL: Frame = {
  type: "audio",
  audio: new Uint8Array(32000),
  sampleRate: 16000,
  channels: 1,
};

Deno.test("shutdownSignal: a session whose bot sent `end` plays its farewell out and says its own goodbye", async () => {
  const { clock, transport, shutdown, types: texts } = jsonShutdownSession();
  await clock.tick(1); // connected
  transport.send(FAREWELL);
  void transport.send({ type: "end" });
  assert.equal(transport.ending, true);
  await clock.tick(200);
  shutdown.abort(); // 0.2 s into the farewell
  const ended = sessionsEnded(shutdown.signal);
  await clock.tick(3000);
  await ended;

  assert.equal(transport.stats.audioBytesDroppedOnClose, 0, "the farewell was not cut");
  assert.equal(transport.stats.audioBytesSent, 32000);
  assert.deepEqual(texts.filter((type) => type !== "audio"), ["end"]);
  const { code, initiator } = await transport.closed;
  assert.deepEqual({ code, initiator }, { code: 1000, initiator: "local" });
});

Deno.test("shutdownSignal: a Genesys session whose bot sent `end` finishes AudioHook's closing sequence", async () => {
  // The shutdown comes while the server waits for the client to answer its `disconnect`.
  await assertGenesysClosingSequenceFinishes({ abortAfterMs: 100 });
});

Deno.test("shutdownSignal: a Genesys session whose client never answers `disconnect` ends with 1001 within twice closeTimeoutMs", async () => {
  const { clock, transport, client } = audioHookSession({}, { answersDisconnect: false });
  const shutdown = new AbortController();
  followShutdown(transport, { shutdownSignal: shutdown.signal });
  const reader = transport.readable.getReader();
  client.open();
  await reader.read(); // the bot's `start`
  let endedAt = NaN;
  void transport.closed.then(() => (endedAt = clock.now()));
  const abortedAt = clock.now();
  shutdown.abort();
  await clock.tick(0);
  assert.deepEqual(client.seen.map((m) => ("type" in m ? m.type : "binary")), [
    "opened",
    "disconnect",
  ]);
  // The wait for the client's close (closeTimeoutMs), then our close's own (closeTimeoutMs).
  await clock.tick(2000);
  await sessionsEnded(shutdown.signal);
  assert.ok(endedAt - abortedAt <= 2000, `ended ${endedAt - abortedAt} ms after the abort`);
  const { code, initiator } = await transport.closed;
  assert.deepEqual({ code, initiator }, { code: 1001, initiator: "local" });
  for (;;) if ((await reader.read()).done) break;
  await clock.runAll();
});
