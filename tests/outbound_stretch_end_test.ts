// `OutboundSender.audioEnds` with fixed-size packets and a serializer that throws: the end of a
// stretch that overflows the reply's last packet leaves a packet that is mostly padding, and the
// padding is what `paddedMs` reports (a far end reporting its playback, Genesys, runs dry that
// much after the reply); a throw names `audioEnds`, not a frame.
import assert from "node:assert/strict";
import type { Frame } from "../src/frames.ts";
import type { SerializedMessage } from "../src/serializer.ts";
import { Packetizer } from "../src/streams/packetizer.ts";
import { loneSender } from "./_lone_sender.ts";

/** A sender of raw audio in 300-byte packets, its serializer's `audioEnds` the one given. */
function sender(audioEnds: (playing: boolean) => Uint8Array | null) {
  const { sender: s, errors } = loneSender({
    serializer: {
      serialize: (frame: Frame): SerializedMessage | null =>
        frame.type === "audio" ? frame.audio : null,
      deserialize: () => null,
      audioEnds,
    },
    packetizer: new Packetizer({ packetSize: 300 }),
  });
  return { s, errors };
}

Deno.test("`OutboundSender`: a stretch's end that completes the partial packet, some left over, reports the last packet's padding", () => {
  const { s } = sender(() => new Uint8Array([1, 2, 3, 4]));
  // 16 kHz PCM16: 32 bytes a millisecond. 898 bytes: two packets, 298 held.
  s.sendAudio({
    type: "audio",
    audio: new Uint8Array(898).fill(9),
    sampleRate: 16000,
    channels: 1,
  });
  s.audioEnds(true); // 4 bytes: the third packet (298 + 2), and 2 held
  assert.equal(s.pendingPacketBytes, 2);
  assert.equal(s.flushPackets(), 0, "sent, not dropped");
  assert.equal(s.paddedMs, 298 / 32, "298 bytes of padding: 9.3 ms of silence after the reply");
});

Deno.test("`OutboundSender`: a throwing `audioEnds` is reported as such, not as a frame", () => {
  const { s, errors } = sender(() => {
    throw new Error("boom");
  });
  s.sendAudio({ type: "audio", audio: new Uint8Array(640), sampleRate: 16000, channels: 1 });
  s.audioEnds(true);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, "encode");
  assert.match(errors[0]!.message, /audioEnds/);
  assert.doesNotMatch(errors[0]!.message, /a frame/);
});
