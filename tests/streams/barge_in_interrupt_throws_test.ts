// An `interrupt()` that throws where it is called rather than returning a rejected promise (a
// transport of the bot's own, or a wrapper, written as a plain function that checks its state
// first): the barge-in fails as one whose promise rejects does, erroring the stream. Thrown out of
// the "speakingstart" listener a paused response's barge-in runs in, it escaped into the
// transport's event dispatch instead: on a plain `EventTarget` an uncaught exception, which ends a
// Deno process and every call in it (HTML, "inner invoke": a listener's exception is reported, not
// given to the dispatcher).
import assert from "node:assert/strict";
import { BargeInStream, type Frame, type InterruptResult } from "../../mod.ts";
import { callerFrame } from "../_caller_fixtures.ts";
import { escaping } from "../_escaping.ts";

const bug = new Error("the transport is not open");

/** A transport whose bot is silent in a pause of response "r", whose `interrupt()` throws. */
class ThrowingTransport extends EventTarget {
  readonly playback = { speaking: false, responseId: "r" };
  interrupts = 0;
  interrupt(): Promise<InterruptResult> {
    this.interrupts++;
    throw bug;
  }
  /** The response goes on after its pause: the bot is audible again. */
  resume(): void {
    this.playback.speaking = true;
    this.dispatchEvent(Object.assign(new Event("speakingstart"), { responseId: "r" }));
  }
}

/** 20 ms of the caller at 16 kHz, quiet or talking. */
const frame = (n: number, talking: boolean): Frame => ({
  type: "audio",
  audio: callerFrame(n, talking),
  sampleRate: 16000,
  channels: 1,
});

Deno.test("`BargeInStream`: an interrupt() that throws as a paused response goes on errors the stream, and nothing escapes", async () => {
  const transport = new ThrowingTransport();
  const stream = new BargeInStream(transport);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const escaped = await escaping(async () => {
    // Quiet for 200 ms, then talking for 400 ms while the bot is in a pause: caught, kept.
    for (let n = 0; n < 30; n++) {
      void writer.write(frame(n, n >= 10));
      await reader.read();
    }
    assert.equal(stream.speaking, true);
    assert.equal(transport.interrupts, 0, "the bot was silent");
    transport.resume();
    assert.equal(transport.interrupts, 1, "the caller barged in as the response went on");
    // The stream fails, as it does when the promise rejects (left going on, this never settled).
    await assert.rejects(writer.closed, (error) => error === bug);
    await assert.rejects(reader.read(), (error) => error === bug);
  });
  assert.deepEqual(escaped, [], "nothing escaped to the runtime");
});

Deno.test("`BargeInStream`: an interrupt() that throws as speech starts over the bot errors the stream with it", async () => {
  const transport = new ThrowingTransport();
  transport.playback.speaking = true;
  const stream = new BargeInStream(transport);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const escaped = await escaping(async () => {
    let failed: unknown;
    for (let n = 0; n < 30 && failed === undefined; n++) {
      void writer.write(frame(n, n >= 10)).catch(() => {});
      await reader.read().catch((error) => failed = error);
    }
    assert.equal(failed, bug);
    assert.equal(transport.interrupts, 1);
  });
  assert.deepEqual(escaped, []);
});
