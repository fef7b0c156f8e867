// A frame a pipe of the runtime's writes into the transport's writable (the sink's `write`: the
// pipe takes no writer of ours) behind frames a released writer left waiting for room is held as
// a writer's frame is: if that wait fails, it is never sent and is counted dropped
// (`FrameSink.dropUnsent`, `transport.stats.audioBytesDroppedOnClose`), and audio an
// interruption overtook meanwhile is dropped with the rest (`audioBytesInterrupted`,
// `droppedMs`). The standard's stream errors as its write in flight fails (WHATWG Streams,
// "WritableStreamDealWithRejection") and the pipe stops ("ReadableStreamPipeTo": errors
// propagated backward): the frame it had read is lost, and here told.
import assert from "node:assert/strict";
import { frameWritable } from "../src/_frame_writer.ts";
import type { Frame } from "../src/frames.ts";
import { openRefusalSession } from "./_refusal_fixtures.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { startedSession, TWILIO_START } from "./serializers/telephony/_hang_up_session.ts";
import { message, settle } from "./_side_by_side_streams.ts";

/** `ms` of 16 kHz mono PCM16. */
function audio(ms: number): Frame {
  return { type: "audio", audio: new Uint8Array(ms * 32), sampleRate: 16000, channels: 1 };
}

/** A readable that gives `frames`, then closes. */
function sourceOf(...frames: Frame[]): ReadableStream<Frame> {
  return new ReadableStream<Frame>({
    start: (controller) => {
      frames.forEach((frame) => controller.enqueue(frame));
      controller.close();
    },
  });
}

Deno.test("`frameWritable`: a pipe's frame behind a write waiting for room that fails is counted unsent", async () => {
  const unsent: Frame[] = [];
  let fail!: (reason: unknown) => void;
  const writable = frameWritable({
    // The first write waits for room, until `fail`; the rest are taken at once.
    send: (frame) =>
      frame.type === "message" && frame.message === 1
        ? new Promise<void>((_, reject) => (fail = reject))
        : undefined,
    interruptions: () => 0,
    dropInterrupted: () => {},
    dropUnsent: (frame) => void unsent.push(frame),
    close: () => Promise.resolve(),
    abort: () => Promise.resolve(),
  });
  const writer = writable.getWriter();
  const first = writer.write(message(1)).catch((reason) => reason);
  writer.releaseLock();
  const piped = sourceOf(message(2)).pipeTo(writable).catch((reason) => reason);
  await settle();
  fail("gone");
  assert.equal(await first, "gone");
  assert.equal(await piped, "gone");
  // Was: [], the pipe's frame lost untold.
  assert.deepEqual(unsent, [message(2)]);
});

Deno.test("`transport.writable`: a pipe's frame behind a held frame the transport throws on is counted dropped", async () => {
  const { clock, transport } = await openRefusalSession();
  const writer = transport.writable.getWriter();
  const first = writer.write(audio(1000)).catch((reason) => reason); // past maxQueuedMs: waits
  let reads = 0;
  // A hostile frame: its `urgent` read once as written (it waits its turn), then it throws, as
  // the transport reads it again at that turn: the transport throws, and the stream fails.
  const hostile = {
    type: "message",
    message: "x",
    get urgent() {
      if (++reads > 1) throw new Error("hostile getter");
      return undefined;
    },
  } as unknown as Frame;
  const held = writer.write(hostile).catch((reason) => String(reason));
  writer.releaseLock();
  const piped = sourceOf(audio(100)).pipeTo(transport.writable).catch((reason) => String(reason));
  await settle();
  await clock.tick(1000); // the first write has room: the hostile frame's turn
  assert.equal(await first, undefined);
  assert.equal(await held, "Error: hostile getter");
  assert.equal(await piped, "Error: hostile getter");
  const closed = transport.close();
  await clock.tick(2000);
  await closed;
  // Every byte written is sent or counted dropped. Was: 1000 ms of it, the pipe's 100 ms lost.
  const { audioBytesSent, audioBytesDroppedOnClose } = transport.stats;
  assert.equal(audioBytesSent + audioBytesDroppedOnClose, 1100 * 32);
});

Deno.test("`transport.writable`: a pipe's audio behind a held write is dropped by an interruption that comes meanwhile", async () => {
  const { clock, transport } = await openRefusalSession();
  const writer = transport.writable.getWriter();
  const first = writer.write(audio(1000)).catch((reason) => reason); // past maxQueuedMs: waits
  writer.releaseLock();
  const piped = sourceOf(audio(100)).pipeTo(transport.writable).catch((reason) => reason);
  await settle();
  const interrupted = await transport.interrupt();
  await clock.tick(1000); // the first write's turn comes: room at once, the queue cleared
  const closed = transport.close();
  await clock.tick(3000);
  await closed;
  assert.equal(await first, undefined);
  assert.equal(await piped, undefined);
  const { audioBytesSent, audioBytesInterrupted, audioBytesDroppedOnClose } = transport.stats;
  // Was: 100 ms more sent after the interruption (4480 bytes), 960 ms dropped: the pipe's audio,
  // written before the interruption, played after it.
  assert.equal(audioBytesSent, 40 * 32, "only what left before the interruption");
  assert.equal(audioBytesInterrupted, 1060 * 32);
  assert.equal(interrupted.droppedMs, 1060);
  assert.equal(audioBytesSent + audioBytesInterrupted + audioBytesDroppedOnClose, 1100 * 32);
});

Deno.test("`transport.writable`: a pipe's `end` behind a goodbye a released writer left waiting for room still hangs up, once, as the socket drops", async () => {
  // As a writer's held `end` (outbound_end_at_drop_test.ts): the bot asked to end the call, and
  // Twilio's call outlives its media socket (https://www.twilio.com/docs/voice/twiml/stream).
  const asked: string[] = [];
  const fetch = (url: string) => {
    asked.push(url);
    return Promise.resolve(new Response("{}", { status: 200 }));
  };
  const serializer = new TwilioSerializer({ accountSid: "AC1", authToken: "token", fetch });
  const { clock, pair, transport, errors } = await startedSession(serializer, TWILIO_START);
  const writer = transport.writable.getWriter();
  const goodbye: Frame = {
    type: "audio",
    audio: new Uint8Array(2000 * 16), // 2 s at 8 kHz: past maxQueuedMs, its write waits for room
    sampleRate: 8000,
    channels: 1,
  };
  const written = writer.write(goodbye);
  writer.releaseLock();
  const piped = sourceOf({ type: "end" }).pipeTo(transport.writable, { preventClose: true });
  await clock.tick(300);
  assert.deepEqual(asked, [], "the goodbye plays first");
  pair.client.terminate();
  assert.equal((await transport.closed).code, 1006);
  await clock.runAll();
  await Promise.all([written, piped]);
  // Was: no hang-up, the pipe's `end` sent after the drop and counted dropped.
  assert.deepEqual(asked, ["https://api.twilio.com/2010-04-01/Accounts/AC1/Calls/CA1.json"]);
  assert.deepEqual(errors, []);
  assert.equal(transport.stats.framesDroppedOnClose, 0, "the end was not dropped");
  assert.equal(clock.pendingTimers, 0);
});
