// No timer of a fork serializer outlives the session: a held mark's release timer, and the wait in
// flushThenEnd (the goodbye's last batch playing before the disconnect) when the far end closes
// during it.
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import { level, narrowbandCall } from "./fixtures/narrowband_call.ts";
import { forkSessionHoldingMark } from "./fixtures/fork_held_mark.ts";
import { FORK_METADATA, FORK_SERIALIZERS } from "./fixtures/fork_serializers.ts";

const audio = (ms: number, v: number) =>
  ({ type: "audio", audio: level(ms, v), sampleRate: 8000, channels: 1, responseId: "r" }) as Frame;

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`${name}: a held mark's release timer is gone once the far end closed`, async () => {
    const { clock, pair, transport, texts: sent } = await forkSessionHoldingMark(make());
    pair.client.close(1000);
    await clock.tick(0);
    await transport.closed;
    const timers = clock.pendingTimers;
    await clock.tick(1000);
    assert.equal(
      timers,
      0,
      `${timers} timer(s) pending after the close; sent: ${sent.join(" | ")}`,
    );
  });

  Deno.test(`${name}: flushThenEnd's wait is gone once the far end closed during it`, async () => {
    const { clock, pair, transport } = narrowbandCall(make(), { markIntervalMs: 0 });
    transport.receive(() => {});
    await clock.tick(0);
    pair.client.send(FORK_METADATA);
    await clock.tick(10);
    transport.send(audio(500, 5));
    transport.send({ type: "end" });
    // step until the end's tail silence has gone (flushThenEnd is waiting), then close remotely
    let texts = 0;
    let bins = 0;
    let tailAt: number | undefined;
    pair.client.addEventListener("message", (e) => {
      const d = (e as MessageEvent).data;
      if (typeof d === "string") texts++;
      else {
        bins++;
        // the flush silence that ends the goodbye: not a 640-byte chunk
        if (new Uint8Array(d as ArrayBuffer).every((b) => b === 0) && tailAt === undefined) {
          tailAt = clock.now();
          pair.client.close(1000);
        }
      }
    });
    for (let i = 0; i < 400 && tailAt === undefined; i++) await clock.tick(5);
    assert.ok(tailAt !== undefined, "the tail silence came");
    await clock.tick(0);
    await transport.closed;
    const timers = clock.pendingTimers;
    assert.equal(
      timers,
      0,
      `${timers} timer(s) pending after the close (texts ${texts}, bins ${bins})`,
    );
  });
}
