// The simulated chan_websocket carries every signed-linear format the Asterisk serializer does,
// now that the resampler takes their rates: `slin12`, `slin32`, `slin96`, `slin192`
// (asterisk/asterisk main/codec_builtin.c: `sample_rate` 12000/32000/96000/192000, 2 bytes a
// sample, so a 20 ms `optimal_frame_size` of 480, 1280, 3840 and 7680 bytes; docs.asterisk.org,
// Channel Drivers → WebSocket: MEDIA_START names the format and its `optimal_frame_size`).
import assert from "node:assert/strict";
import { AsteriskFarEnd } from "../../src/simulator/far_ends/asterisk.ts";
import { farEndContext } from "./far_ends/_context.ts";

for (
  const [format, rate, frameBytes] of [
    ["slin12", 12000, 480],
    ["slin32", 32000, 1280],
    ["slin96", 96000, 3840],
    ["slin192", 192000, 7680],
  ] as const
) {
  Deno.test(`AsteriskFarEnd carries a ${format} channel: ${frameBytes}-byte frames both ways`, () => {
    const sent: string[] = [];
    const wire: Uint8Array[] = [];
    const played: Int16Array[] = [];
    const context = farEndContext({
      now: () => 0,
      send: (message) =>
        void (typeof message === "string" ? sent.push(message) : wire.push(message.slice())),
      play: (samples) => void played.push(samples),
      queuedMs: () => 0,
      violation: (rule) => assert.fail(`violation ${rule}`),
    });
    const asterisk = new AsteriskFarEnd({ encoding: format });
    assert.equal(asterisk.caller.sampleRate, rate);
    assert.equal(asterisk.playbackRate, rate);
    asterisk.open(context);
    assert.match(
      sent[0]!,
      new RegExp(`^MEDIA_START .* format:${format} optimal_frame_size:${frameBytes} ptime:20$`),
    );
    // The caller: 20 ms a message, little-endian samples on the wire.
    const caller = new Int16Array(frameBytes / 2).map((_, i) => (i % 7) * 100 - 300);
    asterisk.sendAudio(caller);
    assert.deepEqual(wire.map((m) => m.length), [frameBytes]);
    assert.deepEqual(new Int16Array(wire[0]!.buffer), caller);
    // The bot: two whole frames in one message, played as they are.
    const bot = new Int16Array(frameBytes).map((_, i) => i - 50);
    asterisk.receive(new Uint8Array(bot.buffer));
    assert.deepEqual(played.flatMap((p) => [...p]), [...bot]);
  });
}
