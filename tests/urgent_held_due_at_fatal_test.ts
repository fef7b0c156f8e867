// Urgent messages sent before sending can begin wait, then leave in order as it begins
// (`releaseUrgent`). Where the first one's serializing fails fatally (the session ends with it,
// its close begun at once), the ones held behind it are too late: the rule for a frame taken once
// the socket is closing (`UrgentSender.sendUrgent`: "counted dropped, never serialized"; README's
// `framesDroppedOnClose`: "the serializer is not asked") holds for them too.
// The serializer is not asked for them: a serializer with state (one that numbers its messages, as
// Genesys's does) would count messages the far end never sees.
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  JsonSerializer,
  TransportError,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/** JSON whose first urgent message fails fatally; the urgent messages it is asked for. */
function failsFirstUrgent() {
  const json = new JsonSerializer();
  const serialize = json.serialize.bind(json);
  const asked: unknown[] = [];
  const serializer = Object.assign(json, {
    serialize: (frame: Frame) => {
      if (frame.type === "message" && frame.urgent === true) {
        asked.push(frame.message);
        if (asked.length === 1) {
          throw new TransportError("protocol", "no session to send in", {
            closeCode: 1011,
            fatal: true,
          });
        }
      }
      return serialize(frame);
    },
  }) as FrameSerializer;
  return { serializer, asked };
}

Deno.test("urgent messages held for the open, the first failing fatally: those behind it are dropped, counted, never serialized", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair({ connecting: true });
  const { serializer, asked } = failsFirstUrgent();
  const transport = new WebSocketTransport(pair.server, {
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
    serializer,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const received: unknown[] = [];
  pair.client.addEventListener("message", (e) => received.push((e as MessageEvent).data));
  transport.send({ type: "message", message: { n: 1 }, urgent: true });
  transport.send({ type: "message", message: { n: 2 }, urgent: true });
  transport.send({ type: "message", message: { n: 3 }, urgent: true });
  await clock.tick(10);
  pair.open();
  await clock.tick(10);
  const closed = await transport.closed;
  await clock.runAll();
  assert.equal(closed.code, 1011);
  assert.deepEqual(errors.map((e) => e.message), ["no session to send in"]);
  assert.deepEqual(asked, [{ n: 1 }], "the serializer is asked for none after the failure");
  assert.deepEqual(received, []);
  assert.equal(transport.stats.encodeErrors, 1);
  assert.equal(transport.stats.framesDroppedOnClose, 2, "the two held behind it");
  assert.equal(clock.pendingTimers, 0);
});
