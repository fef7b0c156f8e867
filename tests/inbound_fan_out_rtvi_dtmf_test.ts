// One WebSocket message may become many frames at once: an RTVI `dtmf` message of up to 100 keys
// is 100 `dtmf` frames, all handed to the inbound queue before any reader can take one. The queue
// drops no message's frames, so it bounds them another way: a reader that leaves more than four
// times `maxInboundFrames` frames unread is taken to be stuck, and the session ends
// ("backpressure", 1008). Counted over every frame waiting, one such message ended the session of
// a bot that read each frame as it came, with a small `maxInboundFrames` (1 allows 4). The frames
// of the message arriving are let past the bound; a reader that stopped is still caught at the next
// message, holding no more than `4 × maxInboundFrames` frames and one message's.
//
// The far end is the real pipecat JS client's serializer: `PipecatClient.sendDTMF` sends an RTVI
// `dtmf` message, `{label: "rtvi-ai", type: "dtmf", data: {buttons: [...]}}` (pipecat-client-web,
// client-js `client/client.ts`), which its websocket transport's `ProtobufFrameSerializer`
// (`@pipecat-ai/websocket-transport`, `serializeMessage`) carries as a protobuf `MessageFrame`;
// pipecat's RTVI processor makes one `InputDTMFFrame` of each key (`_handle_dtmf`).
import assert from "node:assert/strict";
import type { Frame } from "../src/frames.ts";
import type { TransportError } from "../src/errors.ts";
import { dtmfKeys, pipecatSession } from "./serializers/fixtures/pipecat_session.ts";

/** A pipecat session (fixtures/pipecat_session.ts) holding `maxInboundFrames` frames, started. */
async function session(maxInboundFrames: number) {
  const s = pipecatSession({ maxInboundFrames });
  await s.clock.tick(0);
  return s;
}

type Session = Awaited<ReturnType<typeof session>>;

/** Delivers `data` to the transport's socket as a message, as one read while closing is. */
function arrive(s: Session, data: Uint8Array): void {
  s.pair.server.dispatchEvent(Object.assign(new Event("message"), { data }));
}

const codes = (errors: TransportError[]) => errors.map((e) => [e.code, e.fatal, e.closeCode]);

/**
 * A bot that reads `readable` one frame at a time and works `msPerFrame` on each (on the fake
 * clock) before it reads the next; `frames` holds what it read.
 */
function steadyReader(s: Session, msPerFrame: number) {
  const frames: Frame[] = [];
  const reader = s.transport.readable.getReader();
  const reading = (async () => {
    for (;;) {
      const next = await reader.read();
      if (next.done) return;
      frames.push(next.value);
      await s.clock.sleep(msPerFrame);
    }
  })();
  return { frames, reading };
}

Deno.test("a 100-key RTVI dtmf message to a bot reading readable a frame at a time is read whole, the session going on (maxInboundFrames 1)", async () => {
  const s = await session(1); // 4 frames of earlier messages may wait
  const bot = steadyReader(s, 1);
  await s.clock.tick(10);
  s.pair.client.send(dtmfKeys(100));
  await s.clock.tick(0);
  assert.deepEqual(codes(s.errors), [], "99 frames wait, all of the message arriving");
  await s.clock.tick(200);
  assert.equal(bot.frames.length, 100);
  assert.deepEqual(bot.frames.slice(10, 13), [
    { type: "dtmf", digit: "*" },
    { type: "dtmf", digit: "#" },
    { type: "dtmf", digit: "0" },
  ]);
  // Read up, it takes the next such message as well.
  s.pair.client.send(dtmfKeys(100));
  await s.clock.tick(200);
  assert.equal(bot.frames.length, 200, "every key read, in order");
  assert.deepEqual(bot.frames[199], { type: "dtmf", digit: "3" });
  assert.deepEqual(codes(s.errors), []);
  assert.equal(s.transport.connected, true);
  assert.equal(s.transport.stats.framesIn, 200);
  await s.transport.close();
  await s.clock.tick(1000);
  await bot.reading;
});

Deno.test("a bot that stopped reading is still taken to be stuck at the next message, holding no more than 4 × maxInboundFrames frames and one message's (backpressure, 1008)", async () => {
  const s = await session(1);
  const reader = s.transport.readable.getReader(); // takes nothing
  s.pair.client.send(dtmfKeys(100));
  await s.clock.tick(0);
  assert.deepEqual(codes(s.errors), [], "one message's frames wait: no error yet");
  assert.equal(s.transport.connected, true);
  s.pair.client.answersClose = false; // the peer answers the close when the test says
  s.pair.client.send(dtmfKeys(100)); // its first frame finds 100 of an earlier message unread
  await s.clock.tick(0);
  assert.deepEqual(codes(s.errors), [["backpressure", true, 1008]]);
  // A runtime that reads on while closing (Node's ws, Deno's client sockets) keeps delivering.
  arrive(s, dtmfKeys(100));
  const heard = new Promise<number>((resolve) =>
    s.pair.client.addEventListener("close", (e) => resolve((e as CloseEvent).code))
  );
  s.pair.client.close(1008); // the peer's answer, echoing the code (RFC 6455 §5.5.1)
  assert.match(s.errors[0]!.message, /not being read and only messages are queued/);
  assert.equal(s.errors.filter((e) => e.code === "backpressure").length, 1, "reported once");
  assert.equal(await heard, 1008, "the close the peer read");
  const closed = await s.transport.closed;
  assert.equal(closed.code, 1008);
  assert.equal(closed.initiator, "local");
  // Memory stays bounded: the first message's 100 frames and the one the bound was judged at
  // wait, within 4 × 1 + 100; the rest were read as the session ended, and counted dropped.
  const stats = s.transport.stats;
  assert.equal(stats.messagesIn, 3);
  assert.equal(stats.framesIn, 101);
  assert.equal(stats.inboundFramesDroppedOnClose, 199);
  assert.equal(stats.inboundAudioFramesDropped, 0);
  const read: Frame[] = [];
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    read.push(next.value);
  }
  assert.equal(read.length, 101);
  assert.deepEqual(read.at(-1), { type: "dtmf", digit: "0" });
  await s.clock.tick(1000);
});
