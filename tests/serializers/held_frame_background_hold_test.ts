/**
 * Asterisk's flow control: docs.asterisk.org, Configuration → Channel Drivers → WebSocket, "Flow
 * Control": when the frames queued for the channel reach the high-water mark chan_websocket sends
 * `MEDIA_XOFF`, and media sent after it and before `MEDIA_XON` "will probably be dropped"; it sends
 * `MEDIA_XON` once the queue has drained to the low-water mark.
 *
 * A background that stops just before a hold leaves held (with 20 ms chunks of 640 bytes after a
 * reply of 960) half a frame, and with packets a partial packet. The pump takes it for stopped
 * once what it sent has played by its estimate, and sends what it left held then: not while the
 * far end holds the session off, whatever the estimate says (the far end says its queue is full),
 * but once it lets go.
 */
import assert from "node:assert/strict";
import { wholeFrameSession } from "./fixtures/whole_frame_calls.ts";
import { frameBackground, reply } from "./fixtures/whole_frame_far_end.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { mediaStart } from "./fixtures/asterisk_channel_playout.ts";

const ASTERISK = {
  serializer: () => new AsteriskSerializer(),
  opening: mediaStart({ format: "slin16", frameBytes: 640 }),
};

// Before: the run-out timer, armed at the background's stop (its slot due at 610, or 617.5 with
// packets), fired during the hold (at 630, 642.5) and sent the padded half frame (and its packet)
// to a far end that had said XOFF at 625; nothing judged it again after XON.
for (const packet of [undefined, 500]) {
  const how = packet === undefined ? "no packets" : `${packet}-byte packets`;
  Deno.test(`AsteriskSerializer, ${how}: what a background stopped before MEDIA_XOFF left held goes after MEDIA_XON`, async () => {
    let now = () => 0;
    const { clock, pair, transport } = wholeFrameSession(ASTERISK, {
      background: frameBackground(() => now() >= 600),
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      ...(packet === undefined ? {} : { fixedAudioPacketSize: packet }),
    });
    now = () => clock.now();
    const binary: number[] = []; // when each binary message came
    pair.client.addEventListener("message", (event) => {
      if (typeof (event as MessageEvent).data !== "string") binary.push(clock.now());
    });
    pair.client.send(ASTERISK.opening);
    await clock.tick(100);
    void transport.send(reply(960, "a", 1));
    await clock.tick(525); // the background gave nothing at its slot due by 620
    const sentBefore = binary.length;
    pair.client.send("MEDIA_XOFF");
    await clock.tick(375);
    assert.deepEqual(binary.slice(sentBefore), [], "nothing sent during the hold");
    pair.client.send("MEDIA_XON");
    await clock.tick(100);
    assert.ok(binary.length > sentBefore, "what was held goes once the hold ends");
    assert.ok(binary.slice(sentBefore).every((at) => at === 1000), "at MEDIA_XON");
    await transport.close();
    await clock.tick(60_000);
  });
}
