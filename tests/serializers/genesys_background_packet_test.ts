// With background audio (the transport's `background` mixer) filling the slots, a reply's partial
// last packet (`fixedAudioPacketSize`) leaves padded mid-stream, at the reply's tail: the stream
// goes on, so no stretch ends and the serializer is not told (`audioEnds`). Genesys's count of
// the audio a packet still holds (`GenesysPlayback`) kept that packet as held: ever after it was
// out of step with the transport's packets, and once the background stopped it counted as not
// played audio that had all left and played. Genesys's `playback_completed` then covered nothing
// it counted, and the bot's `end` held its `disconnect` the whole `playbackCompletedTimeoutMs`
// for a word that never came, and reported a "timeout".
//
// The far end is the Audio Connector client of fixtures/audio_connector_client.ts: it says
// `playback_started` when it begins to play after none and `playback_completed` once all it was
// sent has played (GenesysCloudBlueprints/audioconnector-server-reference-implementation,
// src/protocol/voice-bots.ts), and ends the call at the server's `disconnect` (AudioHook's close
// transaction).
import assert from "node:assert/strict";
import type { OutboundMixer } from "../../mod.ts";
import { audioConnectorSession, speech } from "./fixtures/audio_connector_client.ts";

const NETWORK_MS = 5; // each way: a server near Genesys, its word back within CROSSING_MS
const CHUNK_MS = 20;

/** A quiet 8 kHz background, one chunk at a time, until `stop`. */
function background() {
  let on = true;
  const mixer: OutboundMixer = {
    attach() {},
    mix: (chunk) => chunk,
    fill: () =>
      on
        ? {
          type: "audio",
          audio: new Uint8Array(CHUNK_MS * 16).fill(3),
          sampleRate: 8000,
          channels: 1,
        }
        : undefined,
    detach() {},
  };
  return { mixer, stop: () => (on = false) };
}

/**
 * A session whose background plays 400 ms, then under 120 ms of speech and `backgroundMs` more,
 * and stops; once Genesys has said it played all, the bot's `end`. What it returns: how long the
 * `disconnect` took after the `end`, the errors, and whether a packet left padded mid-stream.
 */
async function endAfterBackground(backgroundMs: number) {
  const bg = background();
  const { clock, transport, client, errors } = audioConnectorSession({
    client: { networkMs: NETWORK_MS, bufferMs: 0 },
    transport: {
      fixedAudioPacketSize: 1600,
      audioOut: { sampleRate: 8000, chunkMs: CHUNK_MS },
      background: bg.mixer,
    },
  });
  client.open();
  for (let t = 0; t < 400; t += CHUNK_MS) await clock.tick(CHUNK_MS);
  // Less than a packet: its packet is padded as the background goes on.
  for (let t = 0; t < 120; t += CHUNK_MS) {
    void transport.send(speech(CHUNK_MS, "answer"));
    await clock.tick(CHUNK_MS);
  }
  for (let t = 0; t < backgroundMs; t += CHUNK_MS) await clock.tick(CHUNK_MS);
  // Whole 200 ms packets, back to back, but for the one padded early, mid-stream.
  const arrivals = client.seen.flatMap((m) => "binary" in m ? [m.at] : []);
  const paddedEarly = arrivals.some((at, i) => i > 0 && at - arrivals[i - 1]! < 200);
  bg.stop();
  for (let t = 0; t < 1000; t += CHUNK_MS) await clock.tick(CHUNK_MS);
  assert.ok(client.completedAt.length > 0, "Genesys said it played all");
  const endAt = clock.now();
  void transport.send({ type: "end" });
  for (let n = 0; n < 3000 && client.disconnectAt < 0; n++) await clock.tick(1);
  assert.ok(client.disconnectAt > 0, "the bot's end hung up");
  await transport.close();
  await clock.runAll();
  return {
    disconnectMs: client.disconnectAt - endAt,
    errors: errors.map((e) => `${e.code}: ${e.message}`),
    paddedEarly,
  };
}

Deno.test("GenesysSerializer: a reply's packet padded mid-background does not hold the goodbye its whole timeout once the background stops", async () => {
  // The background stops at each point of a packet: one of them leaves the transport's last
  // packet whole where the drifted count held some of it.
  for (let backgroundMs = 600; backgroundMs < 800; backgroundMs += CHUNK_MS) {
    const { disconnectMs, errors, paddedEarly } = await endAfterBackground(backgroundMs);
    assert.ok(paddedEarly, "the reply's packet left padded, mid-stream");
    // All had played: the `disconnect` goes at once, no wait running out.
    assert.ok(disconnectMs < 200, `${backgroundMs} ms: disconnect ${disconnectMs} ms after end`);
    assert.deepEqual(errors, [], `${backgroundMs} ms`);
  }
});
