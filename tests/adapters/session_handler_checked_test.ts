// `upgradeHandler(wss, onSession, options)` (Node) and `voiceSession(upgradeWebSocket, onSession,
// options)` (Hono) as plain JavaScript calls them, with no type checker: options given where
// `onSession` goes were never read, so every request was upgraded whatever `allowedOrigins` said,
// and each session then ended with 1011 ("onSession is not a function"), one call at a time. Both
// now throw a TypeError where the handler is made, as a bad option does.
import assert from "node:assert/strict";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "../../src/adapters/node.ts";
import { voiceSession } from "../../src/adapters/hono.ts";

const options = { allowedOrigins: ["https://app.example.com"] };

Deno.test("Node `upgradeHandler` refuses, where it is made, an onSession that is no function or a wss that cannot upgrade", () => {
  const wss = new WebSocketServer({ noServer: true });
  assert.throws(() => upgradeHandler(wss as never, options as never), {
    name: "TypeError",
    message: "onSession must be a function (transport, request) => void, got object",
  });
  // The arguments the other way round: the session callback where the server goes.
  assert.throws(() => upgradeHandler((() => {}) as never, wss as never), {
    name: "TypeError",
    message: /^wss must be a ws WebSocketServer .* got function$/,
  });
  upgradeHandler(wss as never, () => {}, options); // taken
});

Deno.test("Hono `voiceSession` refuses, where it is made, an onSession that is no function", () => {
  const upgradeWebSocket = (() => () => Promise.resolve(undefined)) as never;
  assert.throws(() => voiceSession(upgradeWebSocket, options as never), {
    name: "TypeError",
    message: "onSession must be a function (transport, c) => void, got object",
  });
  voiceSession(upgradeWebSocket, () => {}, options); // taken
});
