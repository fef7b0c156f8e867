// A mixer of the application's own whose `fill` gives a chunk with no audio (where it means "no
// background now", which is `undefined`): the chunk took no time on the pacing timeline, so the
// pump filled slot after slot in one turn and the session hung as soon as it opened. It is the
// mixer's fault as a throw is: a fatal "application" error, the session closed with 1011.
import assert from "node:assert/strict";
import {
  type AudioFrame,
  type OutboundMixer,
  type TransportError,
  WebSocketTransport,
} from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

Deno.test("a mixer whose fill gives a chunk of no audio ends the session, as a throw does", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  let fills = 0;
  const mixer: OutboundMixer = {
    attach: () => true,
    mix: (chunk) => chunk,
    fill(): AudioFrame {
      // Bounded here, so that the test fails rather than hangs where the pump loops on it.
      if (++fills > 1000) throw new Error("filled a thousand times in one turn");
      return { type: "audio", audio: new Uint8Array(0), sampleRate: 8000, channels: 1 };
    },
    detach() {},
  };
  const transport = new WebSocketTransport(pair.server, {
    clock,
    audioOut: { sampleRate: 8000, channels: 1, chunkMs: 20 },
    background: mixer,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  await clock.tick(100);
  const closed = await transport.closed;
  assert.equal(fills, 1, "filled once, not slot after slot");
  assert.equal(closed.code, 1011);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, "application");
  assert.match(errors[0]!.message, /fill\(\) gave a chunk with no audio/);
});
