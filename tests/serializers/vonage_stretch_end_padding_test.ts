// The silence that pads a reply's partial last frame where its stretch ends plays at the far end,
// after the reply's speech: the playout timeline must hold it, or the answer to the end-of-speech
// mark, which comes once that silence has played too, reads the far end as that much further
// behind the estimate than it is (and `heardMs` after it as that much short).
//
// The far ends, as documented (and simulated in src/simulator/far_ends/):
// - Vonage (developer.vonage.com, Voice API, "WebSockets in the Vonage Voice API", "Writing audio
//   to the WebSocket"): binary `audio/l16` messages of one 20 ms frame each (640 bytes at
//   16 kHz); `{"action":"notify","payload":…}` is answered by `websocket:notify` with that
//   payload once the audio sent before it has played.
// - Asterisk (docs.asterisk.org, "WebSocket Channel Driver"): media in whole
//   `optimal_frame_size` frames (160 bytes of ulaw, 20 ms); a mark (`STOP_MEDIA_BUFFERING` with
//   an id, `MARK_MEDIA`) answered once the media before it has played.
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { type ProviderCase, speech, startCall } from "../playback/_provider_call.ts";

/** Each far end, with the bytes of one of its frames (for packets of whole frames). */
const CASES: (ProviderCase & { frameBytes: number })[] = [
  {
    protocol: "vonage",
    serializer: () => new VonageSerializer(),
    rate: 16000,
    chunkMs: 20,
    frameBytes: 640,
  },
  {
    protocol: "asterisk",
    serializer: () => new AsteriskSerializer(),
    rate: 8000,
    chunkMs: 20,
    frameBytes: 160,
  },
];

/** The far end's delay: the audio's way there (with its buffer) and the answers' way back. */
const DELAYS = { jitterMs: 100, returnMs: 20 };
const DELAY_MS = DELAYS.jitterMs + DELAYS.returnMs;

/**
 * The far end's delay the transport learned from a call's one reply of `ms`: one frame at most,
 * so the answer to its end-of-speech mark is the first, adopted as it reads (told to observers).
 * A reply not whole frames ends in the chunker's partial chunk, sent (padded) at the tail timer,
 * the quiet time after the queue ran dry: its end mark goes right after it, before its place
 * plays, and its answer reads the delay. A one-frame reply's end mark goes the quiet time after
 * its frame left, 20 ms after its place played by the estimate: across this network it is
 * answered as it arrives, and read as the first measure (no delay known yet, see
 * `PendingMark.boundsUntil`) it is 20 ms long, the late end mark's own error (140).
 */
async function learnedLag(provider: ProviderCase, ms: number): Promise<number[]> {
  const call = startCall(provider, DELAYS, { hangUpAtMs: 3000 });
  const lags: number[] = [];
  call.transport.observe({ playoutLag: (info) => lags.push(info.lagMs) });
  await call.clock.tick(100);
  call.transport.send(speech(ms, provider.rate, "r1"));
  await call.clock.tick(4000);
  await call.report;
  return lags;
}

for (const provider of CASES) {
  Deno.test(`${provider.protocol}: the silence padding a reply's last frame is placed where it plays: the end-of-speech answer measures the far end's delay as for a whole frame`, async () => {
    for (const ms of [10, 5]) { // 10 and 15 ms of silence fill the frame
      // Not placed, the padding played before the answer, read 10 or 15 ms as delay.
      assert.deepEqual(await learnedLag(provider, ms), [DELAY_MS], `a reply of ${ms} ms`);
    }
  });
}

// With `fixedAudioPacketSize` the padded frame goes through the packetizer: packets of one frame
// leave it whole at the stretch's end; of two, it waits in the last, partial packet, which leaves
// padded just after (the packetizer's own padding: `lastPacket: "pad"`). Either way it plays
// after the reply's speech, as without packets, and the packet's padding after it: the reply
// plays as long at the far end as one that fills the packet with speech, and its end-of-speech
// answer measures the far end's delay.
for (const provider of CASES) {
  // Vonage takes one frame a message and stops listening at another size (its simulated far end
  // ends the call there): packets of two frames are Asterisk's alone.
  for (const frames of provider.protocol === "vonage" ? [1] : [1, 2]) {
    Deno.test(`${provider.protocol}, packets of ${frames} frame(s): the silence padding a reply's last frame, and its packet, is placed where it plays`, async () => {
      const packets = {
        ...provider,
        transport: {
          fixedAudioPacketSize: frames * provider.frameBytes,
          lastPacket: "pad" as const,
        },
      };
      for (const ms of [10, 5]) { // 10 and 15 ms of silence fill the frame
        // Before, with packets of two frames: 140 (the packet's padding placed nowhere, the
        // reply's end read 20 ms early).
        assert.deepEqual(await learnedLag(packets, ms), [DELAY_MS], `a reply of ${ms} ms`);
      }
    });
  }
}
