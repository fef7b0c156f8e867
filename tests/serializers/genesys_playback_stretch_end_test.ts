// Genesys answers no marks, so no end-of-speech mark ends a stretch of the bot's speech there: a
// reply of whole chunks (nothing held back by the chunker, no packetizer) ends at the quiet time
// after the queue ran dry, and the resampler's last samples of it go (or are dropped) then, not
// in front of the next reply.
import assert from "node:assert/strict";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { audioConnectorSession } from "./fixtures/audio_connector_client.ts";

Deno.test("Genesys, bot at 24 kHz: a reply of whole chunks ends (`audioEnds`) before the next reply", async () => {
  const calls: { at: number; playing: boolean }[] = [];
  const original = GenesysSerializer.prototype.audioEnds;
  let now = () => 0;
  GenesysSerializer.prototype.audioEnds = function (playing: boolean) {
    calls.push({ at: now(), playing });
    return original.call(this, playing);
  };
  try {
    const s = audioConnectorSession({
      transport: { audioOut: { sampleRate: 24000, chunkMs: 20 } },
    });
    now = () => s.clock.now();
    s.client.open();
    await s.clock.tick(100);
    const reply = (responseId: string) => ({
      type: "audio" as const,
      audio: new Uint8Array(new Int16Array(24 * 400).fill(5000).buffer), // 20 whole chunks
      sampleRate: 24000,
      channels: 1,
      responseId,
    });
    void s.transport.send(reply("r1"));
    for (let i = 0; i < 200; i++) await s.clock.tick(10); // r1 played, and completed
    assert.equal(calls.length, 1, "r1's stretch ended once");
    void s.transport.send(reply("r2"));
    await s.clock.tick(10);
    assert.equal(calls.length, 1, "nothing more as r2 begins");
    assert.deepEqual(s.errors, []);
    await s.transport.close();
  } finally {
    GenesysSerializer.prototype.audioEnds = original;
  }
});
