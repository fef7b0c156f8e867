// A barge-in that fails once its stream has ended (`onBargeIn` throws, or `interrupt()` rejects,
// after the input ended or the reader cancelled): no pipe is left to carry the stream's error, so
// it is reported on the transport, as a listener that throws is.
import assert from "node:assert/strict";
import {
  BargeInStream,
  type BargeInStreamOptions,
  type Frame,
  type InterruptibleTransport,
  type InterruptResult,
  TransportError,
} from "../../mod.ts";
import { answer, callBehindFarEnd, callerFrame } from "../_caller_fixtures.ts";
import { escaping } from "../_escaping.ts";

const heard: InterruptResult = { responseId: "r", heardMs: 500, droppedMs: 0, acknowledged: true };
const bug = new Error("a bug in the bot's barge-in callback");

/** The caller at 16 kHz, quiet for 500 ms, then talking for 500 ms: a barge-in 200 ms in. */
const talking: Frame[] = Array.from({ length: 50 }, (_, n) => ({
  type: "audio",
  audio: callerFrame(n, n >= 25),
  sampleRate: 16000,
  channels: 1,
}));

/**
 * The caller barging in twice: quiet for 500 ms, talking for 500 ms, quiet for 800 ms (past the
 * detector's 500 ms of silence that end speech), talking for 500 ms.
 */
const twice: Frame[] = Array.from({ length: 115 }, (_, n) => ({
  type: "audio",
  audio: callerFrame(n, (n >= 25 && n < 50) || n >= 90),
  sampleRate: 16000,
  channels: 1,
}));

/** A transport whose bot speaks, whose `interrupt()` settles when the test says. */
class SpeakingTransport extends EventTarget {
  readonly playback = { speaking: true, responseId: "r" };
  readonly interrupting = Promise.withResolvers<InterruptResult>();
  interrupts = 0;
  readonly closes: [number | undefined, string | undefined][] = [];
  interrupt(): Promise<InterruptResult> {
    this.interrupts++;
    return this.interrupting.promise;
  }
  close(code?: number, reason?: string): Promise<void> {
    this.closes.push([code, reason]);
    return Promise.resolve();
  }
}

/**
 * The caller talks over the bot through a barge-in stream, whose input then ends (or, `cancel`,
 * whose reader cancels it) while `interrupt()` has not answered yet.
 */
async function bargeInThenEnd(
  transport: InterruptibleTransport,
  options: BargeInStreamOptions & { cancel?: boolean; frames?: Frame[] } = {},
): Promise<void> {
  const stream = new BargeInStream(transport, options);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  for (const frame of options.frames ?? talking) {
    void writer.write(frame);
    await reader.read();
  }
  if (options.cancel) return void await reader.cancel();
  await writer.close();
  assert.equal((await reader.read()).done, true, "the stream has ended");
}

/** The "error" events dispatched on `transport`. */
function errorsOn(transport: EventTarget): TransportError[] {
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push((event as ErrorEvent).error));
  return errors;
}

function assertReported(errors: TransportError[], cause: unknown): void {
  assert.equal(errors.length, 1);
  const [error] = errors;
  assert.ok(error instanceof TransportError);
  assert.equal(error.code, "application");
  assert.equal(error.fatal, true);
  assert.equal(error.closeCode, 1011);
  assert.equal(error.cause, cause);
  assert.match(error.message, /a bug in the bot's barge-in callback/);
}

Deno.test("`BargeInStream`: an onBargeIn that throws after the stream ended is reported on the transport, which closes with 1011", async () => {
  const transport = new SpeakingTransport();
  const errors = errorsOn(transport);
  const escaped = await escaping(async () => {
    await bargeInThenEnd(transport, {
      onBargeIn: () => {
        throw bug;
      },
    });
    assert.equal(transport.interrupts, 1, "the caller barged in");
    transport.interrupting.resolve(heard);
  });
  assert.deepEqual(escaped, [], "nothing escaped to the runtime");
  assertReported(errors, bug);
  assert.equal(transport.closes.length, 1);
  assert.equal(transport.closes[0]![0], 1011);
});

Deno.test("`BargeInStream`: an interrupt() that rejects after the stream ended is reported on the transport", async () => {
  const transport = new SpeakingTransport();
  const errors = errorsOn(transport);
  const escaped = await escaping(async () => {
    await bargeInThenEnd(transport, { onBargeIn: () => assert.fail("never interrupted") });
    transport.interrupting.reject(bug);
  });
  assert.deepEqual(escaped, []);
  assertReported(errors, bug);
  assert.equal(transport.closes[0]![0], 1011);
});

Deno.test("`BargeInStream`: a barge-in that fails after its reader cancelled is reported on the transport", async () => {
  const transport = new SpeakingTransport();
  const errors = errorsOn(transport);
  const escaped = await escaping(async () => {
    await bargeInThenEnd(transport, { cancel: true });
    transport.interrupting.reject(bug);
  });
  assert.deepEqual(escaped, []);
  assertReported(errors, bug);
});

Deno.test("`BargeInStream`: a barge-in that fails while the stream runs errors the stream, and only it", async () => {
  const transport = new SpeakingTransport();
  const errors = errorsOn(transport);
  const stream = new BargeInStream(transport);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  for (const frame of talking) {
    void writer.write(frame);
    await reader.read();
  }
  transport.interrupting.reject(bug);
  await assert.rejects(reader.read(), bug);
  assert.deepEqual(errors, [], "the stream's error is the report");
  assert.deepEqual(transport.closes, []);
});

Deno.test("`BargeInStream`: two barge-ins that fail after the stream ended are reported once, and close the session once", async () => {
  // As a listener's failure is: only the first is reported (README, Errors), the session ends once.
  const transport = new SpeakingTransport();
  const errors = errorsOn(transport);
  const escaped = await escaping(async () => {
    await bargeInThenEnd(transport, {
      frames: twice,
      onBargeIn: () => {
        throw bug;
      },
    });
    assert.equal(transport.interrupts, 2, "the caller barged in twice");
    transport.interrupting.resolve(heard);
  });
  assert.deepEqual(escaped, []);
  assertReported(errors, bug);
  assert.equal(transport.closes.length, 1);
});

Deno.test("`BargeInStream`: a second barge-in that fails after the first errored the stream is not reported on the transport", async () => {
  // The stream's error is the report: the application may have handled it and kept the call.
  const transport = new SpeakingTransport();
  const errors = errorsOn(transport);
  const stream = new BargeInStream(transport);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  for (const frame of twice) {
    void writer.write(frame);
    await reader.read();
  }
  assert.equal(transport.interrupts, 2, "the caller barged in twice");
  transport.interrupting.reject(bug);
  await assert.rejects(reader.read(), bug);
  await Promise.resolve();
  assert.deepEqual(errors, []);
  assert.deepEqual(transport.closes, []);
});

Deno.test("`BargeInStream`: a late failure on a transport that is no EventTarget closes it with 1011 and is logged, never ending the process", async () => {
  // README, Security: session code that fails "never reaches the server's other sessions, nor ends
  // the process". Reported as uncaught, it ended a Deno process (`deno run`: exit 1, a timer of
  // another call never ran) and left the session open.
  const speaking = new SpeakingTransport();
  const transport = {
    playback: speaking.playback,
    interrupt: () => speaking.interrupt(),
    close: (code?: number, reason?: string) => speaking.close(code, reason),
  };
  const logged: unknown[][] = [];
  const log = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    const escaped = await escaping(async () => {
      await bargeInThenEnd(transport);
      speaking.interrupting.reject(bug);
    });
    assert.deepEqual(escaped, []);
  } finally {
    console.error = log;
  }
  assert.equal(logged.length, 1);
  assertReported(logged[0]! as TransportError[], bug);
  assert.deepEqual(speaking.closes, [[1011, "barge-in failed"]]);
});

Deno.test('`BargeInStream`: on a `WebSocketTransport`, a late failure waits for an "error" listener and ends the session with 1011', async () => {
  const { clock, pair, transport } = callBehindFarEnd();
  await clock.tick(0);
  transport.send(answer(2000, "r1"));
  await clock.tick(200);
  assert.equal(transport.playback.speaking, true);
  const interrupting = Promise.withResolvers<InterruptResult>();
  transport.interrupt = () => interrupting.promise; // answers when the test says
  await bargeInThenEnd(transport, {
    onBargeIn: () => {
      throw bug;
    },
  });
  interrupting.resolve(heard);
  await clock.tick(0);
  const errors = errorsOn(transport); // added after the report: it was held
  await clock.tick(0);
  const closed = await transport.closed;
  assert.equal(closed.code, 1011);
  assert.equal(closed.initiator, "local");
  assertReported(errors, bug); // and nothing more on the close
  pair.client.close(1000);
});
