// With `fixedAudioPacketSize: 1600` (200 ms of PCMU, the packet Genesys' message rate calls for),
// the bot's audio leaves in packets: a packet's first chunks wait for the rest, and a reply's end
// for the next reply or its stretch's end. A `playback_completed` that arrives within 100 ms of a
// packet's leaving may have crossed it (Genesys ran dry before the packet came) and does not
// cover it; it was judged by when the audio was encoded instead, so a goodbye held in the
// packetizer looked older than that, the crossing report was taken as covering it, and the
// `disconnect` went while Genesys had the goodbye still to play.
//
// The far end is the Audio Connector client of fixtures/audio_connector_client.ts: it says
// `playback_started` when it begins to play after none and `playback_completed` once all it was
// sent has played (GenesysCloudBlueprints/audioconnector-server-reference-implementation,
// src/protocol/voice-bots.ts), and ends the call at the server's `disconnect` (AudioHook's close
// transaction), cutting what it has not played.
import assert from "node:assert/strict";
import { packetizedAudioConnector } from "./fixtures/audio_connector_client.ts";

const NETWORK_MS = 30; // each way: a round trip well inside the 100 ms the crossing allows
const CHUNK_MS = 40;

Deno.test("GenesysSerializer: a playback_completed that crossed the goodbye's packet does not let the disconnect cut it", async () => {
  const { clock, transport, client, errors, say } = await packetizedAudioConnector(
    NETWORK_MS,
    CHUNK_MS,
  );
  await say(400, "answer"); // two whole packets: Genesys plays them back to back
  await clock.tick(40);
  await say(120, "goodbye"); // less than a packet: it leaves at its stretch's end
  void transport.send({ type: "end" });
  for (let n = 0; n < 3000 && client.disconnectAt < 0; n++) await clock.tick(1);
  // Genesys ran dry after the answer as the goodbye's packet reached it: its word for the answer
  // crossed that packet on the way back.
  assert.equal(client.completedAt[1], client.seen.findLast((m) => "binary" in m)!.at);
  assert.ok(client.disconnectAt > 0, "the goodbye hung up");
  // The goodbye's packet: its 120 ms of speech, then the silence padding it (`lastPacket` "pad").
  const heard = client.heardMs();
  assert.ok(heard >= 400 + 120, `the caller heard the goodbye to its end (heard ${heard} ms)`);
  assert.deepEqual(errors.map((e) => e.message), [], "no wait ran out");
  await transport.close();
});
