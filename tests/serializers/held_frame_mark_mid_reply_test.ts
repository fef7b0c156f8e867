/**
 * With `fixedAudioPacketSize` and `lastPacket: "drop"`, a bot's mark in the middle of a reply
 * (Vonage, Asterisk: the serializer pads its partial frame there) ends the packet the audio before
 * it waits in, so that the mark is not answered before that audio: padded, never dropped. The
 * `lastPacket` option drops a partial packet only "where a stretch of speech ends (each reply's
 * end, an `end`, the session's close)" (src/transport_options.ts); a mark is none of those.
 */
import assert from "node:assert/strict";
import { dropPacketSession, WHOLE_FRAME_CALLS } from "./fixtures/whole_frame_calls.ts";

const CALLS = WHOLE_FRAME_CALLS;

function audio(bytes: Uint8Array) {
  return {
    type: "audio" as const,
    audio: bytes,
    sampleRate: 16000,
    channels: 1,
    responseId: "a",
  };
}

for (const call of CALLS) {
  Deno.test(`${call.name}, 500-byte packets, lastPacket "drop": a bot's mark mid-reply drops none of the speech before it`, async () => {
    const { clock, pair, transport } = dropPacketSession(call);
    // Sentence k's bytes are all k; the serializer pads with 0s. Bytes of each value on the wire:
    const onWire = [0, 0, 0, 0, 0];
    pair.client.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      if (typeof data === "string") return;
      for (const byte of new Uint8Array(data as ArrayBuffer)) {
        if (byte < 5) onWire[byte]!++;
      }
    });
    pair.client.send(call.opening);
    await clock.tick(0);
    // One reply of four sentences, written at once, the bot marking each sentence's end.
    for (let sentence = 1; sentence <= 4; sentence++) {
      void transport.send(audio(new Uint8Array(1000).fill(sentence)));
      void transport.send({ type: "mark", name: `sentence-${sentence}` });
    }
    await clock.tick(3000);
    await transport.close();
    await clock.tick(60_000);
    const stats = transport.stats;
    // Only the reply's end (sentence 4) may lose a partial packet. Before 8594ed6: 1000 of each
    // of sentences 1-3 (the mark's padded frame overtook the partial packet, which went on with
    // the next sentence). Now: 860 of each, 140 bytes dropped at each mark, mid-reply.
    assert.deepEqual(
      onWire.slice(1, 4),
      [1000, 1000, 1000],
      JSON.stringify(stats),
    );
  });
}
