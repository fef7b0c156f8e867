// The bot's `end` that the session's end leaves unsaid while its `disconnect` waits for Genesys to
// play the goodbye. Genesys's Audio Connector says `playback_completed` once it has played what it
// was sent (GenesysCloudBlueprints/audioconnector-server-reference-implementation,
// src/protocol/voice-bots.ts), and the serializer's goodbye waits for it. The socket dropping
// (1006: no close frame, RFC 6455 7.1.5), or the application closing, under that wait leaves the
// `disconnect` unsent: the `end` is dropped at the close and counted in `framesDroppedOnClose`,
// as it is for a client whose goodbye goes at once (one that never reports its playback).
import assert from "node:assert/strict";
import { audioConnectorSession, speech } from "./fixtures/audio_connector_client.ts";

type Session = ReturnType<typeof audioConnectorSession>;

async function run(s: Session, ms: number): Promise<void> {
  const until = s.clock.now() + ms;
  while (s.clock.now() < until) await s.clock.tick(10);
}

/**
 * An Audio Connector session (1 ms of network each way, so that nothing it says after the drop
 * throws) whose bot said a 1000 ms goodbye and `end` 100 ms in, `ms` on from the start.
 */
async function goodbyeUnderWay(
  ms: number,
  client: { reports?: boolean; completes?: boolean } = {},
) {
  const s = audioConnectorSession({
    client: { networkMs: 1, ...client },
    serializer: { playbackCompletedTimeoutMs: 5000 },
    transport: { sendTimeoutMs: 10_000 },
  });
  s.client.open();
  await run(s, 100);
  void s.transport.send(speech(1000, "bye"));
  void s.transport.send({ type: "end", reason: "goodbye" });
  await run(s, ms - 100);
  return s;
}

async function ended(s: Session) {
  const closed = await s.transport.closed;
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0);
  return closed;
}

for (const reports of [true, false]) {
  Deno.test(`Genesys: the socket dropping (1006) while Genesys plays the goodbye counts the unsaid end dropped (${reports ? "" : "no "}playback reports)`, async () => {
    // At 600 ms Genesys plays the goodbye (from 400 ms, behind its 300 ms buffer): the transport
    // hands the bot's `end` to the serializer as the socket drops, and its disconnect can go
    // nowhere: counted, whether it waited for playback_completed or not.
    const s = await goodbyeUnderWay(600, { reports });
    s.pair.client.terminate();
    assert.equal((await ended(s)).code, 1006);
    assert.equal(s.client.disconnectAt, -1);
    assert.equal(s.transport.stats.framesDroppedOnClose, 1, "the end did not go: counted");
    assert.deepEqual(s.errors, []);
  });
}

Deno.test("Genesys: our own close while the goodbye's disconnect waits for playback_completed counts the end dropped", async () => {
  // A client that says playback_started and never playback_completed: at 3000 ms the serializer
  // holds the goodbye's disconnect (it waits up to 5000 ms) when the application closes.
  const s = await goodbyeUnderWay(3000, { completes: false });
  assert.equal(s.client.disconnectAt, -1, "the disconnect still waits");
  void s.transport.close();
  assert.equal((await ended(s)).code, 1000);
  assert.equal(s.client.disconnectAt, -1);
  assert.equal(s.transport.stats.framesDroppedOnClose, 1, "the end did not go: counted");
  assert.equal(s.transport.stats.encodeErrors, 0);
  assert.deepEqual(s.errors, []);
});
