// A malformed audio frame sent after close() or a cancel is refused as it is while the session is
// open (an `encode` error, dropped and counted), as something that is no frame is: never a
// TypeError out of `send`, which through a writer would fail the writable.
import assert from "node:assert/strict";
import type { Frame } from "../mod.ts";
import { refusalSession as session } from "./_refusal_fixtures.ts";

const NO_AUDIO = { type: "audio", sampleRate: 16000, channels: 1 } as unknown as Frame;
const NULL_AUDIO = {
  type: "audio",
  audio: null,
  sampleRate: 16000,
  channels: 1,
} as unknown as Frame;

for (const [after, end] of [["close()", "close"], ["a cancel", "cancel"]] as const) {
  Deno.test(`send() of audio frames without audio after ${after}: encode errors, no throw`, async () => {
    const { clock, transport } = session();
    await clock.tick(1);
    if (end === "close") void transport.close();
    else void transport.send({ type: "cancel" });
    for (const frame of [NO_AUDIO, NULL_AUDIO]) {
      let sent: Promise<void> | undefined;
      assert.doesNotThrow(() => sent = transport.send(frame));
      assert.equal(sent, undefined);
    }
    const { encodeErrors, audioBytesDroppedOnClose } = transport.stats;
    assert.deepEqual({ encodeErrors, audioBytesDroppedOnClose }, {
      encodeErrors: 2,
      audioBytesDroppedOnClose: 0,
    });
    await clock.tick(1000);
  });
}

Deno.test("a writer after close(): a frame without audio is refused, the writable goes on dropping", async () => {
  const { clock, transport, errors } = session();
  await clock.tick(1);
  const writer = transport.writable.getWriter();
  void transport.close();
  await assert.doesNotReject(writer.write(NULL_AUDIO));
  await assert.doesNotReject(writer.write({ type: "message", message: "x" }));
  const { encodeErrors, framesDroppedOnClose } = transport.stats;
  assert.deepEqual({ encodeErrors, framesDroppedOnClose }, {
    encodeErrors: 1,
    framesDroppedOnClose: 1,
  });
  assert.ok(errors.includes("encode"));
  await clock.tick(1000);
});
