// The `OutboundMixer` interface as mixers written against it meet it: an `attach` that returns
// nothing, a promise or what it assigned still takes its session (only `false` declines), and a
// background that a `background` function made for a transport whose constructor then threw is
// released, as one of a session that ended before its socket opened is.
import assert from "node:assert/strict";
import {
  type AudioFrame,
  BackgroundAudio,
  type Frame,
  type MixerFormat,
  type OutboundMixer,
  WebSocketTransport,
} from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

let format: MixerFormat | undefined;
let wake: (() => void) | undefined;

/** An async attach (it loads its source): typed, and taken. */
const asyncAttach: OutboundMixer = {
  async attach(f) {
    format = f;
    await Promise.resolve();
  },
  mix: (chunk: AudioFrame) => chunk,
  fill: () => undefined,
  detach() {},
};

/** The concise arrow style: `attach` returns what it assigned. */
const arrowAttach: OutboundMixer = {
  attach: (_f, w) => (wake = w),
  mix: (chunk: AudioFrame) => chunk,
  fill: () => undefined,
  detach: () => (wake = undefined),
};

Deno.test("`OutboundMixer`s whose attach returns a promise or what it assigned are taken, not declined", async () => {
  for (const background of [asyncAttach, arrowAttach]) {
    const clock = new FakeClock();
    const pair = new MemorySocketPair();
    const transport = new WebSocketTransport(pair.server, { clock, background });
    const errors: string[] = [];
    transport.addEventListener("error", (event) => errors.push(event.error.message));
    await clock.tick(0);
    assert.deepEqual(errors, []);
    pair.client.close(1000);
    await transport.closed;
  }
  assert.ok(format !== undefined && wake === undefined);
});

Deno.test("a background the `background` function made for a transport whose constructor threw is released", () => {
  const clock = new FakeClock();
  let cancelled = 0;
  let made = 0;
  const serializer = {
    serialize: (_frame: Frame) => null,
    deserialize: () => null,
    bind() {
      throw new Error("bind failed");
    },
  };
  const pair = new MemorySocketPair({ connecting: true });
  assert.throws(() =>
    new WebSocketTransport(pair.server, {
      serializer,
      clock,
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      background: () => {
        made++;
        const source = new ReadableStream<Uint8Array>({ cancel: () => void cancelled++ });
        return new BackgroundAudio(source, { sampleRate: 16000 });
      },
    })
  );
  assert.equal(made, 1);
  assert.equal(cancelled, 1, "the stream source of the background made for it is released");
});

Deno.test("speech a mixer's throwing `mix` kept from leaving is counted dropped at the session's end", async () => {
  // `TransportStats`: `audioBytesDroppedOnClose` counts the outbound audio dropped because the
  // session was closing. The chunk the mixer threw on had left the queue: it was counted nowhere.
  const clock = new FakeClock();
  const { server } = new MemorySocketPair();
  const throwingMix: OutboundMixer = {
    attach() {},
    mix: () => {
      throw new Error("mix broke");
    },
    fill: () => undefined,
    detach() {},
  };
  const transport = new WebSocketTransport(server, {
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    background: throwingMix,
    clock,
  });
  const errors: string[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error.code));
  await clock.tick(10);
  for (let i = 0; i < 3; i++) {
    transport.send({ type: "audio", audio: new Uint8Array(640), sampleRate: 16000, channels: 1 });
  }
  await clock.tick(100);
  assert.equal((await transport.closed).code, 1011);
  assert.deepEqual(errors, ["application"]);
  const { audioBytesSent, audioBytesDroppedOnClose } = transport.stats;
  assert.equal(audioBytesSent + audioBytesDroppedOnClose, 3 * 640, "every byte written is told");
});
