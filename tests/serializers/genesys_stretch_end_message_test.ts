// Genesys limits the server's binary messages by their number, not their size: "the allowed
// average rate per second of inbound binary data" (`global.inbound.binary.average.rate.per.second`)
// is 5 and "the maximum number of inbound binary data messages that can be sent instantaneously"
// (`global.inbound.binary.max`) 25 (developer.genesys.cloud, Genesys Cloud limits, AudioHook
// section, as quoted in Rasa's Genesys Cloud Voice channel page, "Rate Limits"); past them the
// client reports error 429 and closes the session (AudioHook protocol, `error` message, as
// Genesys's reference server declares it: GenesysCloudBlueprints/audioconnector-server-reference-
// implementation, src/protocol/message.ts). So where the bot's audio leaves unpacked (no
// `fixedAudioPacketSize`), the resampler's last few samples of a reply, where its stretch ends,
// must not take a message of their own: dropped. Packed, they join the reply's last packet.
import assert from "node:assert/strict";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { audioConnectorSession } from "./fixtures/audio_connector_client.ts";

const CHUNK_BYTES = 160; // 20 ms of PCMU at 8 kHz: each chunk of the reply, one message

/** `ms` of a steady tone at 24 kHz, one response: a bot whose audio the serializer resamples. */
function reply24k(ms: number, responseId: string) {
  const samples = new Int16Array(ms * 24).map((_, i) => (i % 60) * 150 - 4500);
  return {
    type: "audio" as const,
    audio: new Uint8Array(samples.buffer),
    sampleRate: 24000,
    channels: 1,
    responseId,
  };
}

/** Runs two replies, each its own stretch, and returns what `audioEnds` answered. */
async function twoReplies(ms: number, transport: Record<string, unknown>) {
  const answers: (Uint8Array | null)[] = [];
  const original = GenesysSerializer.prototype.audioEnds;
  GenesysSerializer.prototype.audioEnds = function (playing: boolean) {
    const answer = original.call(this, playing);
    answers.push(answer);
    return answer;
  };
  try {
    const s = audioConnectorSession({
      transport: { audioOut: { sampleRate: 24000, chunkMs: 20 }, ...transport },
    });
    s.client.open();
    await s.clock.tick(100);
    void s.transport.send(reply24k(ms, "r1"));
    for (let i = 0; i < 150; i++) await s.clock.tick(10);
    void s.transport.send(reply24k(ms, "r2"));
    for (let i = 0; i < 150; i++) await s.clock.tick(10);
    assert.deepEqual(s.errors, []);
    await s.transport.close();
    const binary = s.client.seen.flatMap((m) => "binary" in m ? [m.binary] : []);
    return { answers, binary };
  } finally {
    GenesysSerializer.prototype.audioEnds = original;
  }
}

Deno.test("Genesys without packets: a reply's resampled end takes no binary message of its own", async () => {
  const { answers, binary } = await twoReplies(400, {});
  // 400 ms in 20 ms chunks each: 20 messages a reply, all whole chunks, no few-byte one after.
  assert.deepEqual(binary, new Array(40).fill(CHUNK_BYTES));
  assert.equal(answers.length, 2, "each reply's stretch ended");
  assert.deepEqual(answers, [null, null], "the held end dropped");
});

Deno.test("Genesys with 1600-byte packets: a reply's resampled end joins its last packet", async () => {
  const { answers, binary } = await twoReplies(450, { fixedAudioPacketSize: 1600, padByte: 0xff });
  assert.equal(answers.length, 2);
  for (const answer of answers) assert.ok(answer !== null && answer.length > 0, "the end goes");
  // 450 ms is 3600 bytes: two whole packets and a partial one, which the end joins, padded.
  assert.deepEqual(binary, new Array(6).fill(1600));
});
