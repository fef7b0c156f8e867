// The system clock shares its runtime timers between sessions: the timers of one millisecond fire
// from one `setTimeout`, those of one tolerance from one sweep. One session's exception in such a
// callback must stop no other session's timer, and the session's own calls into user code from
// its timers (a background mixer's `attach`, a serializer's `awaitsStart`) end that session alone.
import assert from "node:assert/strict";
import {
  type AudioFrame,
  type ClockTimer,
  type OutboundMixer,
  RawPcmSerializer,
  systemClock,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { within } from "./_ws_client.ts";

/**
 * Runs `body` with what reaches the global "error" listeners logged in `log` (as "reported: …")
 * and prevented: the test runner fails a test on an uncaught error.
 */
async function withUncaught(log: string[], body: () => Promise<void>): Promise<void> {
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    log.push(`reported: ${event.error?.message}`);
  };
  globalThis.addEventListener("error", onError);
  try {
    await body();
  } finally {
    globalThis.removeEventListener("error", onError);
  }
}

/** Three timers due together, the middle one throwing; each logs its call in `log`. */
function threeTimers(log: string[], make: (callback: () => void) => ClockTimer) {
  let fired = Promise.withResolvers<void>();
  const timer = (name: string, then: () => void) =>
    make(() => {
      log.push(name);
      then();
    });
  const timers = [
    timer("first", () => {}),
    timer("throwing", () => {
      throw new Error("one session's bug");
    }),
    timer("last", () => fired.resolve()),
  ];
  return {
    timers,
    /** Arms all three for one moment; resolves once the last has fired, or 1 s on. */
    async armAndWait(ms: number): Promise<void> {
      fired = Promise.withResolvers<void>();
      const now = systemClock.now();
      for (const t of timers) t.arm(ms, now);
      let bound: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([fired.promise, new Promise((r) => bound = setTimeout(r, 1000))]);
      clearTimeout(bound);
      // The report comes a microtask after the timers' runtime timer: wait for it too.
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

const oneRound = ["first", "throwing", "last", "reported: one session's bug"];

Deno.test("`systemClock.timer`s of one millisecond all fire when one throws; it is reported uncaught after them, and each fires again when armed again", async () => {
  const log: string[] = [];
  await withUncaught(log, async () => {
    const { timers, armAndWait } = threeTimers(log, (cb) => systemClock.timer(cb));
    await armAndWait(5); // one `now` and delay: one millisecond, one runtime timer
    // Every timer of the bucket fired, and the exception was reported (not swallowed), after them.
    assert.deepEqual(log, oneRound);
    assert.deepEqual(timers.map((t) => t.armed), [false, false, false]);
    // Their state is right: armed again for one millisecond, all fire again.
    await armAndWait(5);
    assert.deepEqual(log, [...oneRound, ...oneRound]);
  });
});

Deno.test("tolerant `systemClock.timer`s of one sweep all fire when one throws; it is reported uncaught after them, and each fires again when armed again", async () => {
  const log: string[] = [];
  await withUncaught(log, async () => {
    const make = (cb: () => void) => systemClock.timer(cb, { toleranceMs: 20 });
    const { timers, armAndWait } = threeTimers(log, make);
    await armAndWait(5); // one moment: one sweep lets all three go
    assert.deepEqual(log, oneRound);
    assert.deepEqual(timers.map((t) => t.armed), [false, false, false]);
    await armAndWait(5);
    assert.deepEqual(log, [...oneRound, ...oneRound]);
  });
});

/** A background mixer whose `attach` throws: the user's bug, in a timer the transport set. */
const throwingMixer = (): OutboundMixer => ({
  attach() {
    throw new Error("mixer attach failed");
  },
  mix: (chunk: AudioFrame) => chunk,
  fill: () => undefined,
  detach() {},
});

/** A serializer whose `awaitsStart` getter throws, read as the socket opens. */
class ThrowingAwaitsStart extends RawPcmSerializer {
  get awaitsStart(): boolean {
    throw new Error("awaitsStart failed");
  }
}

/** A serializer whose far end must send its start first: sending begins at the start bound. */
class AwaitsStart extends RawPcmSerializer {
  readonly awaitsStart = true;
}

const failures = [
  {
    what: "a background mixer's attach that throws, called from the opened timer,",
    options: { background: throwingMixer() },
    message: /^the background mixer's attach threw: Error: mixer attach failed$/,
  },
  {
    what: "a serializer's awaitsStart getter that throws, read from the opened timer,",
    options: { serializer: new ThrowingAwaitsStart() },
    message: /^the serializer's awaitsStart threw: Error: awaitsStart failed$/,
  },
  {
    what: "a background mixer's attach that throws, called from the start-bound timer,",
    options: { background: throwingMixer(), serializer: new AwaitsStart(), sendTimeoutMs: 100 },
    message: /^the background mixer's attach threw: Error: mixer attach failed$/,
  },
];

for (const { what, options, message } of failures) {
  Deno.test(`${what} ends that session alone (1011, an "application" error); it never leaves the timer`, async () => {
    const clock = new FakeClock();
    const failing = new WebSocketTransport(new MemorySocketPair().server, { clock, ...options });
    const other = new WebSocketTransport(new MemorySocketPair().server, { clock });
    const errors: TransportError[] = [];
    failing.addEventListener("error", (e) => errors.push(e.error));
    let otherConnected = false;
    other.addEventListener("connected", () => otherConnected = true);
    // Already open: each session's "opened" timer is armed for 0 ms on the clock they share.
    await assert.doesNotReject(clock.tick(200), "the exception left the session's timer");
    assert.equal(otherConnected, true, "the other session is connected");
    const fatal = errors.filter((e) => e.fatal);
    assert.equal(fatal.length, 1, `one fatal error: ${errors.map((e) => e.message)}`);
    assert.equal(fatal[0]!.code, "application");
    assert.equal(fatal[0]!.closeCode, 1011);
    assert.match(fatal[0]!.message, message);
    await clock.tick(1000);
    const closed = await within(failing.closed, 1000, "the failing session's end");
    assert.equal(closed.code, 1011);
    await other.close();
    await clock.tick(1000);
  });
}
