// Genesys's `ping` carries the round trip it measured by the ping and pong before it: `rtt`, an
// ISO 8601 duration (AudioHook `PingParameters`: `rtt?: Duration`, in both
// purecloudlabs/audiohook-reference-implementation app/audiohook/src/protocol/message.ts and
// GenesysCloudBlueprints/audioconnector-server-reference-implementation src/protocol/message.ts).
// The reference client (clientsessionimpl.ts, `sendPing`) sends its first ping without it, 1 s
// after `opened`, a second at once when that one's pong comes, and one every 5 s after, each with
// the round trip of the last ping answered. The simulated Genesys sent every ping with empty
// parameters: a bot that reads `rtt` (to watch its link) never saw one.
import assert from "node:assert/strict";
import { openAudioHookSession } from "./_audiohook_session.ts";

Deno.test("Genesys's pings after the first carry the round trip of the last ping answered, as rtt", async () => {
  const { clock, sent, rules, server } = openAudioHookSession();
  server("opened", { parameters: { media: [] } });
  const pings = () => sent.filter((message) => message.type === "ping");
  await clock.tick(1000);
  assert.deepEqual(pings().map((ping) => ping.parameters), [{}]);
  // Its pong 120 ms later: the second ping goes at once, with that round trip.
  await clock.tick(120);
  server("pong", { clientseq: pings()[0]!.seq });
  assert.deepEqual(pings().map((ping) => ping.parameters), [{}, { rtt: "PT0.12S" }]);
  // Answered in 45 ms; the next ping, 5 s after the second, carries that one.
  await clock.tick(45);
  server("pong", { clientseq: pings()[1]!.seq });
  await clock.tick(4955);
  assert.deepEqual(pings().at(-1)!.parameters, { rtt: "PT0.045S" });
  assert.deepEqual(rules, []);
});
