/**
 * A whole-frames serializer (Vonage, Asterisk) that answers later (a subclass of the user's that
 * awaits something first: ours answer at once) pads the partial frame it holds at a bot's mark,
 * as it answers. Its padded frame goes as the serializer's that answers at once does: with
 * `fixedAudioPacketSize`, in packets of that size, as all binary audio does ("every binary audio
 * message is cut into packets of exactly this many bytes", src/transport_options.ts); and its
 * padding, once the answer has left, is placed on the playout timeline after the speech before
 * the mark, so that the next response is heard to begin where it plays.
 */
import assert from "node:assert/strict";
import {
  botAudio,
  openWholeFrameSession,
  WHOLE_FRAME_CALLS,
} from "./fixtures/whole_frame_calls.ts";
import type { SpeakingEvent } from "../../src/playback.ts";

/** `call`, its serializer made to answer every frame a turn later. */
function answeringLater(call: (typeof WHOLE_FRAME_CALLS)[number]) {
  return {
    ...call,
    serializer: () => {
      const serializer = call.serializer();
      const answer = serializer.serialize.bind(serializer);
      serializer.serialize = (frame) => Promise.resolve().then(() => answer(frame));
      return serializer;
    },
  };
}

// 1000 bytes (31.25 ms) of response "a" in 25 ms chunks: one 640-byte frame, 360 bytes held,
// padded with 280 (8.75 ms) at the mark. With 500-byte packets the wire carries 2000 bytes
// before "b" (62.5 ms): 500, then the partial packet padded (140 + 360), then the mark's frame
// in two packets (640 + 360 of padding), as for a serializer that answers at once.
const CASES = [
  { packets: undefined, bStartsAt: 40, wire: [640, 640] },
  { packets: 500, bStartsAt: 62.5, wire: [500, 500, 500, 500] },
];

for (const call of WHOLE_FRAME_CALLS.map(answeringLater)) {
  for (const { packets, bStartsAt, wire } of CASES) {
    const how = packets === undefined ? "without packets" : `with ${packets}-byte packets`;
    Deno.test(`${call.name} answering later, ${how}: a bot mark's padded frame goes as for one answering at once, its padding placed`, async () => {
      const { clock, pair, transport } = await openWholeFrameSession(
        call,
        packets === undefined ? {} : { fixedAudioPacketSize: packets, lastPacket: "pad" },
      );
      const starts: [string | undefined, number][] = [];
      transport.addEventListener("speakingstart", (event) => {
        starts.push([(event as SpeakingEvent).responseId, clock.now()]);
      });
      const binary: number[] = []; // the sizes of the binary messages up to the mark's text
      let markSeen = false;
      pair.client.addEventListener("message", (event) => {
        const data = (event as MessageEvent).data;
        if (typeof data === "string") markSeen ||= data.includes("after-a");
        else if (!markSeen) binary.push(new Uint8Array(data as ArrayBuffer).length);
      });
      void transport.send(botAudio(1000, "a"));
      void transport.send({ type: "mark", name: "after-a" });
      void transport.send(botAudio(1000, "b"));
      await clock.tick(3000);
      const stats = transport.stats;
      await transport.close();
      await clock.tick(60_000);
      // Before, with packets: [500, 500, 640], the mark's frame unpacketized.
      assert.deepEqual(binary, wire, "the messages up to the mark's");
      // Before: "b" began at 31.25 ms, at 42.5 with packets (the mark's padding placed nowhere).
      assert.deepEqual(starts, [["a", 0], ["b", bStartsAt]]);
      assert.equal(stats.audioBytesSent, 2000, JSON.stringify(stats));
      assert.equal(stats.audioBytesDroppedOnClose, 0, JSON.stringify(stats));
    });
  }
}
