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

// `cancel` ends the session at once: marks held for audio that will not come go ahead of its
// `disconnect` (as `end` sends them), not after it at the close, where none can be placed.
for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`${name}: a mark held for audio goes ahead of cancel's disconnect, not after it`, async () => {
    const { clock, transport, texts } = await forkSessionHoldingMark(make(), { markIntervalMs: 0 });
    transport.send({ type: "cancel" }); // within the 80 ms hold: m1 is still held
    for (let i = 0; i < 200; i++) await clock.tick(50); // past closeTimeoutMs (jambonz waits for its close)
    await transport.closed;
    const at = texts.indexOf('{"type":"disconnect"}');
    assert.ok(at >= 0, `no disconnect: ${JSON.stringify(texts)}`);
    assert.deepEqual(
      texts.slice(at + 1),
      [],
      `sent after the goodbye: ${JSON.stringify(texts.slice(at + 1))}; ` +
        `framesDroppedOnClose ${transport.stats.framesDroppedOnClose}`,
    );
  });
}
