// The outbound packet options are checked whether or not `fixedAudioPacketSize` is set: a bad
// `addWavHeader`, `lastPacket` or `padByte` throws, naming the value (README: "Misuse (bad
// options, …) throws RangeError/TypeError naming the bad value"), as the other options do.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../mod.ts";
import { MemorySocketPair } from "../src/testing/mod.ts";
import { resolveTransportOptions } from "../src/transport_options.ts";

for (
  const [options, error] of [
    [{ addWavHeader: "no" }, new TypeError('addWavHeader must be true or false, got "no"')],
    [{ addWavHeader: 1 }, new TypeError("addWavHeader must be true or false, got 1")],
    [{ padByte: 300 }, new RangeError("padByte must be an integer from 0 to 255, got 300")],
    [{ padByte: 0.5 }, new RangeError("padByte must be an integer from 0 to 255, got 0.5")],
    [
      { lastPacket: "bogus" },
      new RangeError('lastPacket must be "pad", "short" or "drop", got "bogus"'),
    ],
    [
      { fixedAudioPacketSize: 160, lastPacket: "bogus" },
      new RangeError('lastPacket must be "pad", "short" or "drop", got "bogus"'),
    ],
  ] as const
) {
  Deno.test(`\`WebSocketTransport\` refuses ${JSON.stringify(options)}, naming the value`, () => {
    assert.throws(() => resolveTransportOptions(options as never), error);
    const { server } = new MemorySocketPair();
    assert.throws(() => new WebSocketTransport(server, options as never), error);
  });
}

Deno.test("`WebSocketTransport` takes the packet options' good values, with or without a packet size", () => {
  const resolved = resolveTransportOptions({
    addWavHeader: true,
    lastPacket: "drop",
    padByte: 255,
  });
  assert.deepEqual(
    [resolved.addWavHeader, resolved.lastPacket, resolved.padByte],
    [true, "drop", 255],
  );
  const defaults = resolveTransportOptions({ fixedAudioPacketSize: 160 });
  assert.deepEqual(
    [defaults.addWavHeader, defaults.lastPacket, defaults.padByte],
    [false, "pad", 0],
  );
});
