// A session ended while its socket still connects leaves the socket a listener, to close it should
// it open after all (`closeEvenIfOpenedLater`: Deno, whose route sent the upgrade's 101 late). That
// listener must hold the socket and the close to make, never the ended session: Deno keeps such a
// socket for good where the caller left before its late 101 (the route answered, the upgrade went
// nowhere: seen on Deno 2, `readyState` CLOSING for as long as the server ran), and every session
// it held, its queues, serializer and audio with it, was kept as long. It was, by each of the
// three ways such a session ends: the bot's close (`SocketCloser`), the open bound (a drop, 1006)
// and the bot's `end` never said (`#endNeverSaid`). Counted exactly in a heap snapshot (V8 collects
// before it takes one: what it lists is reachable). The socket here behaves as Deno's did before its
// late 101, read from tests/adapters/deno_close_before_late_upgrade_test.ts: `close()` while
// connecting only marks it CLOSING and sends nothing, no event comes, and the 101 opens it as if
// never closed (`readyState` OPEN, an "open" event).
import assert from "node:assert/strict";
import { RawPcmSerializer, type WebSocketLike, WebSocketTransport } from "../mod.ts";
import { FakeClock } from "../src/testing/mod.ts";
import { heapCensus } from "./_collect_garbage.ts";

const OPEN_TIMEOUT_MS = 200;
const CLOSE_TIMEOUT_MS = 300;
const SESSIONS = 5;

/** A server socket whose upgrade's 101 the route holds back, kept as Deno keeps one. */
class HeldBackSocket extends EventTarget implements WebSocketLike {
  readyState = 0;
  binaryType = "blob";
  bufferedAmount = 0;
  /** Each `close()` made on it: its code and reason. */
  readonly closes: [number | undefined, string | undefined][] = [];

  send(): void {
    throw new TypeError("send() on a socket that is not open");
  }
  close(code?: number, reason?: string): void {
    this.closes.push([code, reason]);
    if (this.readyState < 2) this.readyState = 2; // connecting: nothing sent, no event
  }
  /** The late 101: open, as if the close before it had never been made. */
  openLate(): void {
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }
}

type Way = "the bot's close" | "the open bound" | "the bot's end never said";

/**
 * Ends `SESSIONS` sessions `way` before their sockets open; returns the sockets (the runtime keeps
 * them) and the clock, nothing of the sessions.
 */
async function endedBeforeOpen(way: Way): Promise<{ sockets: HeldBackSocket[]; clock: FakeClock }> {
  const clock = new FakeClock();
  const sockets: HeldBackSocket[] = [];
  const ended: Promise<unknown>[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const socket = new HeldBackSocket();
    sockets.push(socket);
    const transport = new WebSocketTransport(socket, {
      serializer: new RawPcmSerializer(),
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      clock,
      openTimeoutMs: OPEN_TIMEOUT_MS,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
    });
    transport.addEventListener("error", () => {}); // the timeouts told: expected here
    transport.send({
      type: "audio",
      audio: new Uint8Array(64_000),
      sampleRate: 16000,
      channels: 1,
    });
    if (way === "the bot's close") void transport.close(4000, "bye");
    if (way === "the bot's end never said") void transport.send({ type: "end", reason: "goodbye" });
    ended.push(transport.closed);
  }
  await clock.tick(OPEN_TIMEOUT_MS + 2 * CLOSE_TIMEOUT_MS);
  assert.equal((await Promise.all(ended)).length, SESSIONS);
  return { sockets, clock };
}

const WAYS: [Way, [number | undefined, string | undefined]][] = [
  ["the bot's close", [4000, "bye"]],
  ["the open bound", [undefined, undefined]],
  ["the bot's end never said", [1000, "goodbye"]],
];

for (const [way, close] of WAYS) {
  Deno.test(`a session ended by ${way} before its socket opened is not kept by the socket, which is still closed should it open late`, async () => {
    const { sockets, clock } = await endedBeforeOpen(way);
    assert.equal(clock.pendingTimers, 0);
    // A task on: what a `WeakRef` read in this one kept (`AbortSignal.any`'s) is let go at its end.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const kept = heapCensus().objects.get("WebSocketTransport") ?? 0;
    assert.equal(kept, 0, `ended sessions the sockets still hold (of ${SESSIONS})`);
    // The listener still does its work: the late 101 gets the session's close.
    for (const socket of sockets) {
      assert.equal(socket.readyState, 2);
      socket.openLate();
      assert.deepEqual(socket.closes.at(-1), close);
      assert.equal(socket.closes.length, 2, "closed once while connecting, once on the late open");
    }
    // Unanswered, each is dropped (none here to drop: no `terminate`) and nothing waits on.
    await clock.tick(Math.max(OPEN_TIMEOUT_MS, CLOSE_TIMEOUT_MS));
    assert.equal(clock.pendingTimers, 0);
  });
}
