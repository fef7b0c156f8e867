// Asterisk's WebSocket channel at the end of a stretch of the bot's speech. Asterisk's
// documentation (docs.asterisk.org, "WebSocket Channel Driver", media): the channel takes binary
// media frames of the negotiated format, `optimal_frame_size` bytes each (640 for slin16, 20 ms),
// as MEDIA_START says. A reply's last, partial frame must leave when the reply ends, padded with
// silence to a whole frame, not wait for the end-of-speech mark, which the transport sends only
// after its quiet time (the channel may have run dry by then).
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import type { SerializedMessage } from "../../src/serializer.ts";
import { filledPcm16k, SETUP_16K } from "./fixtures/filled_pcm_16k.ts";
import { mediaStart } from "./fixtures/asterisk_channel_playout.ts";

const media = (out: SerializedMessage | SerializedMessage[] | null) =>
  (Array.isArray(out) ? out : out === null ? [] : [out]).filter((m): m is Uint8Array =>
    m instanceof Uint8Array
  );

Deno.test("Asterisk slin16: `audioEnds` sends the held partial frame padded, with nothing resampled", () => {
  const asterisk = new AsteriskSerializer();
  asterisk.setup(SETUP_16K);
  asterisk.deserialize(mediaStart({ format: "slin16", frameBytes: 640 }));
  assert.equal(
    media(asterisk.serialize(filledPcm16k(960, 0x22))).length,
    1,
    "one whole frame, 320 bytes held",
  );
  const [frame, ...more] = media(asterisk.audioEnds(true));
  assert.deepEqual(more, []);
  assert.equal(frame?.length, 640);
  assert.deepEqual([...frame!.subarray(0, 320)], new Array(320).fill(0x22));
  assert.deepEqual([...frame!.subarray(320)], new Array(320).fill(0));
  assert.equal(asterisk.audioEnds(true), null, "nothing held any more");
  // The channel has run dry: the bot's held speech still goes (it is counted sent).
  asterisk.serialize(filledPcm16k(320, 0x33));
  const [late] = media(asterisk.audioEnds(false));
  assert.deepEqual([...late!.subarray(0, 320)], new Array(320).fill(0x33));
  // The next reply's first frame is its own audio only.
  const [next] = media(asterisk.serialize(filledPcm16k(640, 0x44)));
  assert.deepEqual([...next!], new Array(640).fill(0x44));
});
