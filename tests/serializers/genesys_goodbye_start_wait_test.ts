// A goodbye whose `end` waits for its playout (`played`) while the reply it belongs to waits for
// Genesys' word that it began (`playback_started`, see the README's "Playback and barge-in"):
// none of that reply counts as heard before the word, or 250 ms past the estimate without it.
// Its estimated end passed meanwhile; the tracker's timer was armed for that end, which had
// passed, so it fired at once, found the same, and armed again without end: on a test's fake
// clock time never moved on, on the system clock the session woke every sweep until the word
// came. It waits for the word, or its own bound, instead.
//
// The far end is the Audio Connector client of fixtures/audio_connector_client.ts (its
// `playback_started` and `playback_completed` as Genesys' reference server declares them:
// GenesysCloudBlueprints/audioconnector-server-reference-implementation,
// src/protocol/voice-bots.ts), 60 ms away each way, playing what it gets as it arrives.
import assert from "node:assert/strict";
import { packetizedAudioConnector } from "./fixtures/audio_connector_client.ts";

const NETWORK_MS = 60;
const CHUNK_MS = 40;

Deno.test("GenesysSerializer: an end waiting for a goodbye that waits for playback_started does not spin the events timer", async () => {
  const { clock, transport, client, errors, say } = await packetizedAudioConnector(
    NETWORK_MS,
    CHUNK_MS,
  );
  await say(400, "answer");
  await clock.tick(80);
  await say(80, "goodbye"); // less than a packet: it leaves with the end
  void transport.send({ type: "end" });
  // Each tick moves the time on: a timer that re-arms itself for the same moment throws here.
  for (let n = 0; n < 3000 && client.disconnectAt < 0; n++) await clock.tick(1);
  assert.ok(client.disconnectAt > 0, "the goodbye hung up");
  assert.ok(client.heardMs() >= 400 + 80, "after the goodbye had played");
  assert.deepEqual(errors.map((e) => e.message), []);
  await transport.close();
});
