// `SerializerContext.pauseSending`'s second argument: a pause held is bounded afresh, for what it
// waits on now, and its "timeout" error says that (Asterisk's MEDIA_XOFF held by the bot's own
// PAUSE_MEDIA, then by the far end's drain once CONTINUE_MEDIA leaves). Without it, a second
// pause changes nothing, as before.
import assert from "node:assert/strict";
import {
  type Frame,
  RawPcmSerializer,
  type SerializerContext,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/** Raw PCM whose context the test holds, to pause sending as a far end's flow control would. */
class PausedPcm extends RawPcmSerializer {
  context: SerializerContext | undefined;
  bind(context: SerializerContext): void {
    this.context = context;
  }
}

function session() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const serializer = new PausedPcm();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    sendTimeoutMs: 1000,
    clock,
  });
  const binary: number[] = [];
  pair.client.addEventListener("message", (event) => {
    if (typeof (event as MessageEvent).data !== "string") binary.push(clock.now());
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  const timeouts = () => errors.filter((e) => e.code === "timeout").map((e) => e.message);
  return { clock, transport, context: () => serializer.context!, binary, timeouts };
}

const audio = (ms: number): Frame => ({
  type: "audio",
  audio: new Uint8Array(ms * 32),
  sampleRate: 16000,
  channels: 1,
});

Deno.test("`SerializerContext.pauseSending` with options bounds a held pause afresh, counted once, its timeout giving the reason", async () => {
  const s = session();
  s.transport.send(audio(2000));
  await s.clock.tick(0);
  s.context().pauseSending!(true);
  await s.clock.tick(800);
  s.context().pauseSending!(true, { reason: "the bot holds it" });
  await s.clock.tick(900);
  assert.deepEqual(s.timeouts(), [], "1,700 ms paused, 900 of them since the new bound");
  const sentBefore = s.binary.length;
  await s.clock.tick(101);
  assert.deepEqual(s.timeouts(), ["the bot holds it within 1000 ms: sending on"]);
  await s.clock.tick(40);
  assert.ok(s.binary.length > sentBefore, "sending went on");
  assert.equal(s.transport.stats.sendPauses, 1);
  // Paused again, bounded afresh with no reason: the far end's default.
  s.context().pauseSending!(true);
  s.context().pauseSending!(true, {});
  await s.clock.tick(1000);
  assert.equal(
    s.timeouts()[1],
    "the far end asked to pause sending and did not resume within 1000 ms: sending on",
  );
  assert.equal(s.transport.stats.sendPauses, 2);
  await s.transport.close();
});

Deno.test("`SerializerContext.pauseSending(true)` again without options leaves the pause's bound as it was", async () => {
  const s = session();
  s.transport.send(audio(2000));
  await s.clock.tick(0);
  s.context().pauseSending!(true);
  await s.clock.tick(800);
  s.context().pauseSending!(true); // a far end repeating its XOFF holds no session longer
  await s.clock.tick(200);
  assert.equal(s.timeouts().length, 1);
  assert.equal(s.transport.stats.sendPauses, 1);
  await s.transport.close();
});

Deno.test("`SerializerContext.pauseSending` throws a TypeError at options that are not an object or a reason that is not a string", async () => {
  const s = session();
  const pause = s.context().pauseSending!;
  for (const options of [null, "the bot", { reason: 5 }, { reason: null }]) {
    assert.throws(
      () => pause(true, options as never),
      (error: unknown) =>
        error instanceof TypeError && /SerializerContext\.pauseSending/.test(error.message),
      String(options),
    );
  }
  assert.equal(s.transport.stats.sendPauses, 0, "nothing paused");
  await s.transport.close();
});
