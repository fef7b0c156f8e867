import assert from "node:assert/strict";
import { claimSerializer, releaseSerializer, setUpSerializer } from "../src/_serializer_setup.ts";
import { TransportError } from "../src/errors.ts";
import type { FrameSerializer, SerializerAudioSetup } from "../src/serializer.ts";
import { RawPcmSerializer } from "../src/serializers/raw_pcm.ts";
import { FakeClock } from "../src/testing/mod.ts";
import { resolveTransportOptions } from "../src/transport_options.ts";

const rawOptions = {
  audioIn: { sampleRate: 8000 },
  audioOut: { sampleRate: 24000, chunkMs: 20 },
  sendTimeoutMs: 500,
};
const options = resolveTransportOptions(rawOptions);

function withSetup(setup?: NonNullable<FrameSerializer["setup"]>): FrameSerializer {
  const serializer: FrameSerializer = { serialize: () => null, deserialize: () => null };
  return setup === undefined ? serializer : { ...serializer, setup };
}

function bound(clock = new FakeClock()) {
  const over = new AbortController();
  return { clock, over, bound: { clock, timeoutMs: 500, signal: over.signal } };
}

Deno.test("claimSerializer: raw PCM by default, a function called, one session a serializer, ever", () => {
  assert.ok(claimSerializer(undefined) instanceof RawPcmSerializer);
  const made = new RawPcmSerializer();
  assert.equal(claimSerializer(() => made), made);
  assert.throws(() => claimSerializer(made), /already serves a live session/);
  // Released before its session began (the transport's constructor threw): it served none.
  releaseSerializer(made);
  assert.equal(claimSerializer(made), made, "never served: it may serve the next session");
  setUpSerializer(made, options, bound().bound); // the transport is built: the session begins
  assert.throws(() => claimSerializer(made), /already serves a live session/);
  releaseSerializer(made);
  assert.throws(
    () => claimSerializer(made),
    (e) => e instanceof TypeError && /has served a session already/.test(e.message),
    "once its session is over, it serves no other",
  );
});

Deno.test("setUpSerializer: the session's audio settings; undefined when it finished at once", () => {
  let given: SerializerAudioSetup | undefined;
  const result = setUpSerializer(
    withSetup((audio) => void (given = audio)),
    options,
    bound().bound,
  );
  assert.equal(result, undefined);
  assert.deepEqual(given, {
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
    outputChunkMs: 20,
  });
  assert.equal(setUpSerializer(withSetup(), options, bound().bound), undefined);
  const packets = resolveTransportOptions({ ...rawOptions, fixedAudioPacketSize: 160 });
  let packetized: SerializerAudioSetup | undefined;
  setUpSerializer(withSetup((audio) => void (packetized = audio)), packets, bound().bound);
  assert.equal(packetized?.outputPacketBytes, 160);
});

Deno.test("setUpSerializer: one that throws at once throws a fatal protocol error, 1011", () => {
  const cause = new Error("no codec");
  assert.throws(
    () =>
      setUpSerializer(
        withSetup(() => {
          throw cause;
        }),
        options,
        bound().bound,
      ),
    (error: unknown) => {
      assert.ok(error instanceof TransportError);
      assert.equal(error.code, "protocol");
      assert.equal(error.fatal, true);
      assert.equal(error.closeCode, 1011);
      assert.equal(error.cause, cause);
      assert.match(error.message, /serializer setup failed: Error: no codec/);
      return true;
    },
  );
});

Deno.test("setUpSerializer: an asynchronous one resolves true, its bound's timer gone", async () => {
  const { clock, bound: b } = bound();
  const thenable = { then: (resolve: () => void) => resolve() }; // not a Promise: awaited all the same
  const result = setUpSerializer(withSetup(() => thenable as unknown as Promise<void>), options, b);
  assert.ok(result instanceof Promise);
  assert.equal(await result, true);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("setUpSerializer: one that rejects rejects with a fatal protocol error", async () => {
  const { bound: b } = bound();
  const result = setUpSerializer(withSetup(() => Promise.reject(new Error("late"))), options, b);
  await assert.rejects(result!, (error: unknown) => {
    assert.ok(error instanceof TransportError);
    assert.equal(error.code, "protocol");
    assert.equal(error.closeCode, 1011);
    assert.match(error.message, /serializer setup failed: Error: late/);
    return true;
  });
});

Deno.test("setUpSerializer: one that never settles rejects once the bound has passed", async () => {
  const { clock, bound: b } = bound();
  const result = setUpSerializer(withSetup(() => new Promise<void>(() => {})), options, b)!;
  let settled = false;
  result.then(() => settled = true, () => settled = true);
  await clock.tick(499);
  assert.equal(settled, false);
  await clock.tick(1);
  await assert.rejects(result, (error: unknown) => {
    assert.ok(error instanceof TransportError);
    assert.equal(error.fatal, true);
    assert.equal(error.message, "serializer setup did not finish within 500 ms");
    return true;
  });
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("setUpSerializer: the session ending first resolves false at once, the timer cancelled", async () => {
  const { clock, over, bound: b } = bound();
  const result = setUpSerializer(withSetup(() => new Promise<void>(() => {})), options, b)!;
  over.abort();
  assert.equal(await result, false);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("setUpSerializer: a result whose then cannot be read fails as a set-up that threw", () => {
  const unreadable = {
    get then(): never {
      throw new Error("no then");
    },
  };
  assert.throws(
    () => setUpSerializer(withSetup(() => unreadable as unknown as void), options, bound().bound),
    (error: unknown) => {
      assert.ok(error instanceof TransportError);
      assert.equal(error.code, "protocol");
      assert.equal(error.fatal, true);
      assert.match(error.message, /serializer setup failed: Error: no then/);
      return true;
    },
  );
});
