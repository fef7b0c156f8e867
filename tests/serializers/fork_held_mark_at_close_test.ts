// A mark command ForkMarks holds for the next audio, when the session ends within the hold: the
// transport counted its frame sent, so it leaves where the socket is still open, or is counted in
// framesDroppedOnClose.
import assert from "node:assert/strict";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { forkSessionHoldingMark } from "./fixtures/fork_held_mark.ts";
import { FORK_SERIALIZERS } from "./fixtures/fork_serializers.ts";

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`${name}: a mark held for audio when the far end closes is sent or counted dropped`, async () => {
    const { clock, pair, transport, texts, frames: framesOut } = await forkSessionHoldingMark(
      make(),
      { markIntervalMs: 0 },
    );
    await clock.tick(20); // within the 80 ms hold
    pair.client.close(1000);
    await clock.tick(0);
    await transport.closed;
    await clock.tick(1000);
    const sent = texts.some((t) => t.includes('"m1"'));
    const s = transport.stats;
    assert.ok(
      sent || s.framesDroppedOnClose > 0,
      `mark m1 never reached the far end (texts: ${
        JSON.stringify(texts)
      }), yet framesOut ${framesOut}` +
        ` counted it and framesDroppedOnClose is ${s.framesDroppedOnClose}`,
    );
  });
}

Deno.test("FreeSwitchSerializer: a mark held for audio at a local close leaves before the close", async () => {
  const { clock, transport, texts } = await forkSessionHoldingMark(new FreeSwitchSerializer(), {
    markIntervalMs: 0,
  });
  const closing = transport.close(); // within the hold: the mark is still held
  await clock.tick(1000);
  await closing;
  assert.ok(texts.some((t) => t.includes('"m1"')), `texts: ${JSON.stringify(texts)}`);
  assert.equal(transport.stats.framesDroppedOnClose, 0);
});
