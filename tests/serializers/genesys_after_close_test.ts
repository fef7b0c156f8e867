// What Genesys sends after its own `close`, once we have answered `closed`. AudioHook's close
// transaction ends the session: the client "initiates a close transaction to ensure a clean
// finalization of the session" and "does not send any audio frames after the client issues the
// close message" (Genesys Cloud resource center, "What happens during a successful session between
// Genesys Cloud and your AudioHook server?"); Genesys's reference client, once it has sent
// `close`, closes its media source (no audio, `discarded`, `paused` or `resumed` follow) and stops
// its pings (purecloudlabs/audiohook-reference-implementation, client/clientsessionimpl.ts,
// initiateClose), and `closed` is the server's last message: the client closes the socket on it
// (onClosedMessage), and a `pong` with no `ping` of its own outstanding is an error 409 there
// (onPongMessage). Only an `error` may still come: the reference client sends one while closing
// for a server message it did not expect (signalFatalError).
//
// So a faulty client's messages after its `close` must not be acted on: no `pong` after our
// `closed`, and nothing more for the bot, which has had its `end`. They were: a `ping` was answered
// and an `update`, `playback_started`, … reached the bot's `readable` after its `end` frame.
//
// The far end is the AudioHook client fixture (the reference client's behaviour); the messages
// after its `close` go straight onto its socket, numbered on from its own, as a faulty client would
// send them.
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import { audioHookSession } from "./fixtures/audiohook_session.ts";
import { SESSION } from "./fixtures/genesys_session.ts";

/**
 * Opens a session, has the client start its close transaction (reason "end") and then send
 * `after` (type and parameters) on the same socket, and runs the session to its end: what the
 * client saw, the frames the bot read after its `start`, what the transport counted and reported.
 */
async function afterClientClose(after: [string, Record<string, unknown>][]) {
  const s = audioHookSession({}, { inputVariables: { accountNumber: "1234" } });
  const frames: Frame[] = [];
  const read = (async () => {
    for await (const frame of s.transport.readable) frames.push(frame);
  })();
  s.client.open();
  await s.clock.runAll(100);
  assert.equal(s.client.state, "open");
  s.client.close("end");
  // Numbered on from the client's own messages (`open`, `close`), acknowledging our `opened`:
  // well-formed, so only their timing is wrong. `ClientMessageBase` (protocol/message.ts).
  let seq = s.client.sent.length;
  for (const [type, parameters] of after) {
    s.pair.client.send(JSON.stringify({
      version: "2",
      id: SESSION,
      type,
      seq: ++seq,
      serverseq: 1,
      position: "PT1S",
      parameters,
    }));
  }
  await s.clock.runAll(5000);
  await s.transport.closed;
  await read;
  return {
    ...s,
    seen: s.client.seen.map((m) => ("type" in m ? m.type : "binary")),
    after: frames.slice(1),
  };
}

Deno.test("Genesys: a ping after the client's close is not answered: closed is our last message", async () => {
  const s = await afterClientClose([["ping", {}]]);
  assert.deepEqual(s.seen, ["opened", "closed"], "no pong after closed");
  assert.deepEqual(s.client.violations, []);
  assert.deepEqual(s.after, [{ type: "end", reason: "end" }]);
  // Dropped, counted and reported once, as audio after the close is.
  assert.equal(s.transport.stats.inboundAfterEnd, 1);
  assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [[
    "protocol",
    'genesys: "ping" after the end of the stream: dropped, later ones counted in inboundAfterEnd',
  ]]);
});

Deno.test("Genesys: client messages after its close never reach the bot, which has had its end", async () => {
  const s = await afterClientClose([
    ["update", { language: "fr-FR" }],
    ["playback_started", {}],
    ["playback_completed", {}],
    ["discarded", { start: "PT1S", discarded: "PT0.5S" }],
    ["paused", {}],
    ["resumed", { start: "PT1S", discarded: "PT0S" }],
    ["dtmf", { digit: "5" }],
    ["transcript_request", {}],
  ]);
  assert.deepEqual(s.after, [{ type: "end", reason: "end" }], "nothing after the end");
  assert.deepEqual(s.seen, ["opened", "closed"]);
  assert.deepEqual(s.client.violations, []);
  assert.equal(s.transport.stats.inboundAfterEnd, 8, "each one counted");
  assert.equal(s.transport.stats.decodeErrors, 0, "well-formed, only late");
  assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [[
    "protocol",
    'genesys: "update" after the end of the stream: dropped, later ones counted in inboundAfterEnd',
  ]], "reported once");
});

Deno.test("Genesys: an error after the client's close is reported, and the bot reads nothing after its end", async () => {
  // The reference client may send one while it closes (a 409 for a server message it did not
  // expect, a 408 when no `closed` comes): not a fault, so reported as any client error is.
  const s = await afterClientClose([["error", { code: 409, message: "Unexpected 'event'" }]]);
  assert.deepEqual(s.after, [{ type: "end", reason: "end" }]);
  assert.equal(s.transport.stats.inboundAfterEnd, 0);
  assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [
    ["protocol", "genesys: error 409: Unexpected 'event'"],
  ]);
  assert.deepEqual(s.client.violations, []);
});
