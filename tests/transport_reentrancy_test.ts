// What a serializer or a bot may do to a transport at awkward moments: a `deserialize` that
// answers no frame, frames written right after a `cancel`, a `bind` that throws.
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  RawPcmSerializer,
  type TransportError,
  WebSocketTransport,
} from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { MarkingSerializer } from "./_fake_far_end.ts";

/** Raw PCM for binary messages; a text message is read as whatever `answer` says. */
class Answering implements FrameSerializer {
  readonly #pcm = new RawPcmSerializer();
  constructor(readonly answer: (text: string) => unknown) {}
  serialize(frame: Frame) {
    return this.#pcm.serialize(frame);
  }
  deserialize(data: string | Uint8Array) {
    // deno-lint-ignore no-explicit-any
    return typeof data === "string" ? this.answer(data) as any : this.#pcm.deserialize(data);
  }
}

/** Runs `body`, failing on any error thrown out of a listener or promise rejection not handled. */
async function withNoUncaught(body: () => Promise<void>): Promise<void> {
  const uncaught: unknown[] = [];
  const onError = (e: Event) => {
    e.preventDefault();
    uncaught.push((e as ErrorEvent).error);
  };
  const onRejection = (e: Event) => {
    e.preventDefault();
    uncaught.push((e as PromiseRejectionEvent).reason);
  };
  globalThis.addEventListener("error", onError);
  globalThis.addEventListener("unhandledrejection", onRejection);
  try {
    await body();
    await new Promise((r) => setTimeout(r, 10)); // let an error or a rejection surface
    assert.deepEqual(uncaught.map(String), []);
  } finally {
    globalThis.removeEventListener("error", onError);
    globalThis.removeEventListener("unhandledrejection", onRejection);
  }
}

/** A session reading text messages with `answer`: what it received, and the errors reported. */
async function reading(answer: (text: string) => unknown, texts: string[]) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const t = new WebSocketTransport(pair.server, { serializer: new Answering(answer), clock });
  const frames: string[] = [];
  const errors: TransportError[] = [];
  t.receive((f) => frames.push(f.type === "mark" ? `mark ${f.name}` : f.type));
  t.addEventListener("error", (e) => errors.push(e.error));
  await clock.tick(1);
  for (const text of texts) pair.client.send(text);
  pair.client.send(new Uint8Array(640));
  await clock.tick(10);
  pair.client.close(1000);
  await clock.tick(1000);
  await t.closed;
  return { frames, errors, stats: t.stats };
}

for (const later of [false, true]) {
  const what = later ? "a promise of undefined" : "undefined";
  Deno.test(`deserialize answering ${what} is no frame, as null is: nothing thrown`, async () => {
    await withNoUncaught(async () => {
      const answer = () => later ? Promise.resolve(undefined) : undefined;
      const { frames, errors, stats } = await reading(answer, ["keepalive"]);
      assert.deepEqual(frames, ["audio"], "the audio after it is still delivered");
      assert.deepEqual(errors, []);
      assert.equal(stats.decodeErrors, 0);
    });
  });
}

Deno.test("what deserialize answers that is no frame is a decode error; the frames around it go on", async () => {
  await withNoUncaught(async () => {
    const answers: Record<string, unknown> = {
      "null in a list": [{ type: "dtmf", digit: "1" }, null, { type: "mark", name: "a" }],
      "a mark with no name": { type: "mark" },
      "a number": 7,
      "an unknown type": Promise.resolve({ type: "bogus" }),
    };
    const { frames, errors, stats } = await reading((text) => answers[text], Object.keys(answers));
    assert.deepEqual(frames, ["dtmf", "mark a", "audio"]);
    assert.deepEqual(errors.map((e) => [e.code, e.fatal]), Array(4).fill(["decode", false]));
    assert.deepEqual(errors.map((e) => e.message), [
      "serializer read a message as null",
      "serializer read a message as a mark with no name",
      "serializer read a message as number",
      'serializer read a message as a frame of type "bogus"',
    ]);
    assert.equal(stats.decodeErrors, 4);
  });
});

/** The fake far end's protocol, with a word for cancel. */
class Cancelling extends MarkingSerializer {
  override serialize(frame: Frame) {
    return frame.type === "cancel" ? "cancel" : super.serialize(frame);
  }
}

const audio = (): Frame => ({
  type: "audio",
  audio: new Uint8Array(640),
  sampleRate: 16000,
  channels: 1,
});

Deno.test("frames written right after `cancel` do not leave before it: dropped, counted", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const t = new WebSocketTransport(pair.server, {
    serializer: new Cancelling(false),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  const wire: string[] = [];
  pair.client.addEventListener("message", (e) => {
    const d = (e as MessageEvent).data;
    wire.push(typeof d === "string" ? d : `audio ${d.byteLength}`);
  });
  await clock.tick(1);
  t.send(audio()); // leaves at once
  const cancelled = t.send({ type: "cancel" });
  assert.equal(t.send(audio()), undefined, "the bot's TTS, not yet stopped: too late");
  assert.equal(t.send({ type: "message", message: { after: "cancel" } }), undefined);
  assert.equal(t.connected, false, "the session is closing");
  await clock.tick(1000);
  await cancelled;
  assert.equal((await t.closed).reason, "cancelled");
  assert.deepEqual(wire, ["audio 640", "cancel"]);
  const s = t.stats;
  assert.equal(s.audioBytesSent, 640);
  assert.equal(s.audioBytesDroppedOnClose, 640);
  assert.equal(s.framesDroppedOnClose, 1);
});

class BindsOnce extends RawPcmSerializer {
  calls = 0;
  bind(): void {
    if (this.calls++ === 0) throw new Error("bind failed");
  }
}

Deno.test("a constructor that threw in bind() leaves its serializer free for another session", async () => {
  const serializer = new BindsOnce();
  const clock = new FakeClock();
  const socket = new MemorySocketPair().server;
  assert.throws(() => new WebSocketTransport(socket, { serializer, clock }), /bind failed/);
  const t = new WebSocketTransport(new MemorySocketPair().server, { serializer, clock });
  await t.close();
  await clock.tick(1000);
  await t.closed;
});

Deno.test("a constructor that threw on its socket leaves its serializer free for another session", async () => {
  const serializer = new RawPcmSerializer();
  const clock = new FakeClock();
  const broken = new MemorySocketPair().server;
  broken.addEventListener = () => {
    throw new Error("no listeners here");
  };
  assert.throws(() => new WebSocketTransport(broken, { serializer, clock }), /no listeners here/);
  const t = new WebSocketTransport(new MemorySocketPair().server, { serializer, clock });
  await t.close();
  await clock.tick(1000);
  await t.closed;
});

Deno.test("`close(4000)` keeps its code when the speakingstop it dispatches has a listener that closes too (one socket close, the first code)", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000 },
    clock,
  });
  const codes: number[] = [];
  pair.client.addEventListener("close", (e) => codes.push((e as CloseEvent).code));
  const socketCloses: number[] = [];
  const close = pair.server.close.bind(pair.server);
  pair.server.close = (code?: number, reason?: string) => {
    socketCloses.push(code!);
    close(code, reason);
  };
  transport.addEventListener("speakingstop", () => void transport.close(1000, "turn over"));
  await clock.tick(10);
  void transport.send({
    type: "audio",
    audio: new Uint8Array(32_000),
    sampleRate: 16000,
    channels: 1,
  });
  for (let i = 0; i < 20 && !transport.playback.speaking; i++) await clock.tick(20);
  assert.ok(transport.playback.speaking, "speaking");
  void transport.close(4000, "first");
  for (let i = 0; i < 20; i++) await clock.tick(100);
  const closed = await transport.closed;
  assert.deepEqual(socketCloses, [4000], `socket.close calls ${socketCloses}`);
  assert.equal(closed.code, 4000);
  assert.equal(closed.reason, "first");
});
