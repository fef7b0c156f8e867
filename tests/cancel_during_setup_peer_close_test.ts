// A bot that writes its `cancel` on an open socket while its serializer's asynchronous set-up still
// runs: the cancel waits for the set-up to be said (`WebSocketTransport.#cancel`). The caller
// closing (or dropping) the socket meanwhile ended the session with `initiator` "remote" yet no
// "disconnected" event: neither the caller's ending nor the bot's. The bot's cancel came first,
// and it ended the session from that moment (`ending`, frames after it dropped), as a `close()`
// made at the same moment does: `initiator` "local", no "disconnected" (README "Events": never when
// we ended it), the peer's close code and reason, as `close()` reports them in the same race.
import assert from "node:assert/strict";
import type { Frame, FrameSerializer, TransportError } from "../mod.ts";
import { WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

const CANCEL: Frame = { type: "cancel", closeCode: 4000, reason: "hung up" };

/** Raw PCM with a hang-up message for a `cancel`; its set-up runs until settled by the test. */
function slowSerializer() {
  const setUp = Promise.withResolvers<void>();
  const serialized: string[] = [];
  const serializer: FrameSerializer = {
    setup: () => setUp.promise,
    serialize(frame) {
      serialized.push(frame.type);
      if (frame.type === "audio") return frame.audio;
      return frame.type === "cancel" ? "hang up" : null;
    },
    deserialize: () => null,
  };
  return { serializer, serialized, setUp };
}

/** A session on an open socket whose serializer's set-up is still running. */
function openSession() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const slow = slowSerializer();
  const transport = new WebSocketTransport(pair.server, {
    serializer: slow.serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const seen: string[] = [];
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  transport.addEventListener("connected", () => seen.push("connected"));
  transport.addEventListener("disconnected", () => seen.push("disconnected"));
  const clientRead: string[] = [];
  pair.client.addEventListener("message", (e) => clientRead.push(String((e as MessageEvent).data)));
  return { ...slow, clock, pair, transport, seen, errors, clientRead };
}

const ENDINGS = [
  ["a cancel", (t: WebSocketTransport) => void t.send(CANCEL)],
  ["close()", (t: WebSocketTransport) => void t.close(4000, "hung up")],
] as const;

const PEER_ENDINGS = [
  ["closes", (pair: MemorySocketPair) => pair.client.close(1000, "bye"), 1000, "bye"],
  ["drops the connection", (pair: MemorySocketPair) => pair.client.terminate(), 1006, ""],
] as const;

for (const [how, end] of ENDINGS) {
  for (const [peerDoes, peerEnd, code, reason] of PEER_ENDINGS) {
    Deno.test(`${how} on an open socket while the set-up runs, then the caller ${peerDoes}: ours, no disconnected`, async () => {
      const s = openSession();
      s.pair.client.answersClose = false; // the caller's own close crosses ours (close())
      end(s.transport);
      await s.clock.tick(10);
      assert.equal(s.transport.ending, true);
      peerEnd(s.pair);
      const closed = await s.transport.closed;
      assert.equal(closed.initiator, "local");
      // Nothing of the cancel's was said: the caller's close is what the socket reports.
      if (how === "a cancel") assert.deepEqual(closed, { code, reason, initiator: "local" });
      assert.deepEqual(s.seen, [], "no connected, no disconnected: the bot ended it");
      await s.clock.tick(0);
      const dropped = how === "a cancel" ? 1 : 0; // the cancel, never said
      assert.equal(s.transport.stats.framesDroppedOnClose, dropped);
      s.setUp.resolve(); // late: the session is over
      await s.clock.tick(0);
      assert.equal(s.transport.stats.framesDroppedOnClose, dropped, "counted once");
      assert.deepEqual(s.clientRead, [], "no late message");
      assert.deepEqual(s.serialized, [], "nothing reached the serializer after the end");
      assert.deepEqual(s.errors, []);
      assert.equal(s.clock.pendingTimers, 0);
    });
  }
}
