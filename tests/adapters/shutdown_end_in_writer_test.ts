// A bot that writes its farewell and its `end` through a writer (`writable.getWriter()`) with the
// transport's queue full (`maxQueuedMs`) has its `end` waiting in the writer for room behind the
// farewell: the bot has said its last words as surely as one that `send`s them, where the
// shutdown lets the farewell play out (see shutdown_after_end_test.ts). On the fake clock.
import assert from "node:assert/strict";
import { sessionsEnded } from "../../src/adapters/_shutdown.ts";
import { jsonShutdownSession } from "./_json_shutdown_session.ts";

/** Three seconds of 16 kHz mono PCM. */
const FAREWELL_BYTES = 96_000;

Deno.test({
  name:
    "shutdownSignal: an `end` a writer holds for room behind the farewell counts as said: the farewell plays out",
  // Before `ending` counted an `end` waiting in a writer: `ending` false, the shutdown's cancel
  // dropped 88,320 of the 96,000 bytes and the `end`, and the caller got 1001.
  fn: async () => {
    const { clock, transport, shutdown, types } = jsonShutdownSession({
      transport: { maxQueuedMs: 100 },
    });
    await clock.tick(1); // connected
    const writer = transport.writable.getWriter();
    const audio = new Uint8Array(FAREWELL_BYTES);
    const spoken = writer.write({ type: "audio", audio, sampleRate: 16000, channels: 1 });
    const ended = writer.write({ type: "end" });
    spoken.catch(() => {});
    ended.catch(() => {});
    await clock.tick(200);
    assert.equal(writer.desiredSize! < 0, true, "the `end` waits in the writer for room");
    assert.equal(transport.ending, true, "the bot's `end` is written: the session is ending");

    shutdown.abort(); // 0.2 s into the farewell
    const all = sessionsEnded(shutdown.signal);
    await clock.tick(4000);
    await all;
    assert.equal(transport.stats.audioBytesDroppedOnClose, 0, "the farewell was not cut");
    assert.equal(transport.stats.audioBytesSent, FAREWELL_BYTES);
    assert.deepEqual(types.filter((type) => type !== "audio"), ["end"]);
    const { code, initiator } = await transport.closed;
    assert.deepEqual({ code, initiator }, { code: 1000, initiator: "local" });
    await clock.runAll();
  },
});
