// Audio Genesys's reference server cannot take as the session's media is a protocol breach there,
// answered with `disconnect` reason `error` (purecloudlabs/audiohook-reference-implementation,
// server/serversessionimpl.ts, onBinaryMessage, through signalClientError): audio before the
// session is open ("Received audio in state PREPARING"), and a binary message that is no whole
// audio frame of the accepted media ("Binary data not a valid audio frame": createAudioFrame in
// audio/audioframe.ts requires a PCMU message's length to be a multiple of its channels). The
// serializer answers the other breaches that way (a wrong `seq`, audio while paused); these two
// were decode errors only, the session left to go on as if nothing were wrong.
// (The docs corpus holds no page of the AudioHook protocol reference; the rule is Genesys's own
// reference implementation's.)
import assert from "node:assert/strict";
import { TransportError } from "../../src/errors.ts";
import { boundGenesys, openMessage } from "./fixtures/genesys_open.ts";

const isDecode = (pattern: RegExp) => (error: unknown) =>
  error instanceof TransportError && error.code === "decode" && pattern.test(error.message);

function disconnects(sent: unknown[]): unknown[] {
  return sent.map((m) => JSON.parse(m as string)).filter((m) => m.type === "disconnect")
    .map((m) => m.parameters.reason);
}

Deno.test("Genesys: a stereo message that is no whole frame asks Genesys to end the session", () => {
  const { genesys, sent } = boundGenesys();
  genesys.deserialize(openMessage({ channels: ["external", "internal"] }));
  assert.throws(
    () => genesys.deserialize(new Uint8Array(161).fill(0xff)),
    isDecode(/stereo audio of odd length 161/),
  );
  assert.deepEqual(disconnects(sent), ["error"]);
  assert.equal(genesys.peerCloses, true);
});

Deno.test("Genesys: audio before the session is open asks Genesys to end the session", () => {
  const { genesys, sent } = boundGenesys();
  assert.throws(
    () => genesys.deserialize(new Uint8Array(160).fill(0xff)),
    isDecode(/audio of 160 bytes outside an open session/),
  );
  assert.deepEqual(disconnects(sent), ["error"]);
  assert.equal(genesys.peerCloses, true);
});
