// Genesys's goodbye after audio the transport dropped before it left (`fixedAudioPacketSize` with
// `lastPacket: "drop"`): the serializer must not wait for Genesys to play what Genesys never got.
//
// Genesys's Audio Connector client says `playback_started` when it begins to play the server's
// audio and `playback_completed` once what it was sent has played (Genesys's reference server,
// GenesysCloudBlueprints/audioconnector-server-reference-implementation: src/protocol/
// voice-bots.ts declares PlaybackStartedMessage and PlaybackCompletedMessage, and its handlers,
// src/websocket/message-handlers/handlers/playback-{started,completed}-message-handler.ts, turn
// the session's "audio playing" on and off): nothing it was not sent gets a word. The goodbye's
// `disconnect` waits for `playback_completed` where audio went out since the last one. The
// serializer took audio as gone out when it encoded it, before the transport's packetizer
// dropped the reply's partial last packet, so an `end` after a reply shorter than a packet
// (dropped whole) waited the whole `playbackCompletedTimeoutMs` for a word that never came, and
// reported a false "timeout" (measured: an end at 4200 ms closed at 6360; Asterisk, which waits
// for no report, at 4220).
//
// The far end is the Audio Connector client of fixtures/audio_connector_client.ts, built from that
// reference and AudioHook's session rules: it plays the PCMU it receives behind a jitter buffer and
// reports its playback as the Audio Connector does.
import assert from "node:assert/strict";
import {
  audioConnectorSession,
  type AudioConnectorSessionOptions,
  speech,
} from "./fixtures/audio_connector_client.ts";

/** 200 ms packets of PCMU at 8 kHz, the partial last one of a reply dropped. */
const PACKET_BYTES = 1600;

type Session = ReturnType<typeof audioConnectorSession>;

function session(client: AudioConnectorSessionOptions["client"] = {}): Session {
  return audioConnectorSession({
    client,
    transport: { fixedAudioPacketSize: PACKET_BYTES, lastPacket: "drop", padByte: 0xff },
  });
}

async function run(s: Session, ms: number): Promise<void> {
  const until = s.clock.now() + ms;
  while (s.clock.now() < until) await s.clock.tick(10);
}

/** When the session closed (clock ms), once it has, its timers all run. */
async function closedAt(s: Session): Promise<number> {
  let at = NaN;
  void s.transport.closed.then(() => (at = s.clock.now()));
  await run(s, 5000);
  await s.transport.closed;
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0);
  return at;
}

Deno.test("Genesys with lastPacket drop: an end after a reply shorter than a packet, dropped whole, waits for no playback_completed", async () => {
  const s = session();
  s.client.open();
  await run(s, 100);
  // A first reply, five whole packets: Genesys plays it and says so (it reports its playback).
  void s.transport.send(speech(1000, "r1"));
  await run(s, 2000);
  assert.equal(s.client.completedAt.length, 1, "the first reply played and was reported");
  const playedBefore = s.client.played.length;
  // A short reply (60 ms: less than a packet, so never sent), then the goodbye.
  const endAt = s.clock.now();
  void s.transport.send(speech(60, "r2"));
  void s.transport.send({ type: "end", reason: "goodbye" });
  const at = await closedAt(s);

  assert.equal(s.client.played.length, playedBefore, "nothing of the short reply reached Genesys");
  assert.equal(s.transport.stats.audioBytesDroppedOnClose, 60 * 16, "its PCM counted dropped");
  // Nothing went out since Genesys said it had played all: the disconnect goes at once, as on any
  // far end that never reports (before: held the 2000 ms bound, then a "timeout" error).
  const disconnectAt = s.client.disconnectAt;
  assert.ok(disconnectAt - endAt < 200, `disconnect ${disconnectAt - endAt} ms after the end`);
  assert.ok(at - endAt < 200, `closed ${at - endAt} ms after the end`);
  assert.deepEqual(s.errors.map((e) => e.message), []);
});

Deno.test("Genesys with lastPacket drop: a partial last packet dropped is not taken as sent when playback_completed comes right after", async () => {
  // A client with a short jitter buffer runs dry soon after the last whole packet reaches it, and
  // says `playback_completed` while the transport still gathers the chunks of the partial packet
  // it will drop: within the 100 ms in which the serializer takes audio sent as possibly crossing
  // the word. That audio never left, so the word covers all that did.
  const s = session({ bufferMs: 20 });
  s.client.open();
  await run(s, 100);
  // 1150 ms: five whole packets, and 150 ms that the stretch's end drops.
  void s.transport.send(speech(1150, "bye"));
  void s.transport.send({ type: "end", reason: "goodbye" });
  const at = await closedAt(s);

  const played = s.client.played.reduce((ms, span) => ms + span.ms, 0);
  assert.equal(played, 1000, "the caller heard the five whole packets, nothing of the rest");
  const lastCompleted = s.client.completedAt.at(-1)!;
  assert.ok(
    s.client.disconnectAt - lastCompleted < 50,
    `disconnect at ${s.client.disconnectAt}, Genesys said it had played all at ${lastCompleted}`,
  );
  assert.ok(at - lastCompleted < 200, `closed at ${at}, ${at - lastCompleted} ms after that`);
  assert.deepEqual(s.errors.map((e) => e.message), []);
});
