// A mixer shared by sessions (one in options many sessions share, or reused across `upgrade()`
// calls) was called with no word of which session called: `mix`, `fill` and `detach` were the
// same for all. It could keep nothing per session, and could not drop one session's `wake` at
// that session's end, so it kept every ended session's wake, and through it the transport,
// reachable. Its `attach` may now return a `MixerSession`: that session is served and detached
// through it alone. And with `background` a function, the transport names the background made
// for it (`transport.background`), which shared options gave no way to reach.
import assert from "node:assert/strict";
import {
  type AudioFrame,
  BackgroundAudio,
  type MixerFormat,
  type MixerSession,
  type OutboundMixer,
  type TransportError,
  type TransportOptions,
  WebSocketTransport,
} from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { runWithGc } from "../_gc_script.ts";

/** One chunk of a constant `level` in `format`. */
function tone(format: MixerFormat, level: number): AudioFrame {
  const { sampleRate, channels, chunkMs } = format;
  const samples = (sampleRate * chunkMs / 1000) * channels;
  const audio = new Uint8Array(new Int16Array(samples).fill(level).buffer);
  return { type: "audio", audio, sampleRate, channels };
}

/**
 * A mixer shared by every session that plays each its own level (per-session state), kept in a
 * `MixerSession` it drops at that session's end; `own` records calls to its own methods.
 */
function sharedTones(options: { decline?: (n: number) => boolean } = {}) {
  const live = new Set<MixerSession>();
  const own: string[] = [];
  let attached = 0;
  const mixer: OutboundMixer = {
    attach(format, wake) {
      const n = ++attached;
      if (options.decline?.(n)) return false;
      const level = 1000 * n;
      let kept: (() => void) | undefined = wake; // what a mixer keeps per session: its wake
      const session: MixerSession = {
        mix: (chunk) => chunk,
        fill: () => kept && tone(format, level),
        detach() {
          kept = undefined;
          live.delete(session);
        },
      };
      live.add(session);
      return session;
    },
    mix(chunk) {
      own.push("mix");
      return chunk;
    },
    fill() {
      own.push("fill");
      return undefined;
    },
    detach(attached) {
      own.push(`detach ${attached}`);
    },
  };
  return { mixer, live, own };
}

/** A session with `background`, recording the first sample of each binary message heard. */
function call(
  clock: FakeClock,
  background: TransportOptions["background"],
  connecting = false,
) {
  const pair = new MemorySocketPair({ connecting });
  const transport = new WebSocketTransport(pair.server, {
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    ...(background && { background }),
    clock,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const levels = new Set<number>();
  const heard = { chunks: 0, levels };
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data === "string") return;
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data as Uint8Array;
    heard.chunks++;
    levels.add(new Int16Array(bytes.buffer, bytes.byteOffset, 1)[0]!);
  });
  return { pair, transport, errors, heard };
}

Deno.test("a shared mixer whose attach returns a `MixerSession`: each session plays its own, and ended sessions leave it holding none", async () => {
  const clock = new FakeClock();
  const { mixer, live, own } = sharedTones();
  const calls = [call(clock, mixer), call(clock, mixer), call(clock, mixer)];
  await clock.tick(500);
  assert.equal(live.size, 3, "three live sessions");
  calls.forEach(({ heard }, i) => {
    assert.ok(heard.chunks >= 24, `session ${i + 1} hears its background (${heard.chunks})`);
    assert.deepEqual([...heard.levels], [1000 * (i + 1)], `session ${i + 1} hears its own only`);
  });
  for (const { pair } of calls) pair.client.close(1000);
  await Promise.all(calls.map(({ transport }) => transport.closed));
  assert.equal(live.size, 0, "the mixer keeps nothing of the ended sessions (their wakes)");
  assert.deepEqual(own, [], "the mixer's own mix, fill and detach serve no session that has one");
  assert.deepEqual(calls.map(({ errors }) => errors), [[], [], []]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("a shared mixer that returns `MixerSession`s may still decline a session with `false`", async () => {
  const clock = new FakeClock();
  const { mixer, live, own } = sharedTones({ decline: (n) => n === 2 });
  const a = call(clock, mixer);
  const b = call(clock, mixer);
  await clock.tick(500);
  assert.equal(b.errors.length, 1, "the declined session is told");
  assert.match(b.errors[0]!.message, /declined this session/);
  assert.equal(b.errors[0]!.fatal, false);
  assert.equal(b.transport.background, undefined, "it has no background");
  assert.equal(a.transport.background, mixer, "the other has it");
  assert.equal(b.heard.chunks, 0);
  assert.deepEqual([...a.heard.levels], [1000]);
  a.pair.client.close(1000);
  b.pair.client.close(1000);
  await Promise.all([a.transport.closed, b.transport.closed]);
  assert.equal(live.size, 0);
  assert.deepEqual(own, [], "the declined session calls nothing of it after attach");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("a session that ended before its socket opened detaches the shared mixer itself, as never attached", async () => {
  const clock = new FakeClock();
  const { mixer, live, own } = sharedTones();
  const a = call(clock, mixer);
  await clock.tick(100);
  const b = call(clock, mixer, true);
  void b.transport.close(1000);
  await clock.tick(6000);
  await b.transport.closed;
  assert.deepEqual(own, ["detach false"], "detach(false): a mixer playing elsewhere plays on");
  assert.equal(live.size, 1, "A's session is kept");
  const before = a.heard.chunks;
  await clock.tick(200);
  assert.ok(a.heard.chunks > before, "and A still hears it");
  a.pair.client.close(1000);
  await a.transport.closed;
  assert.equal(live.size, 0);
  assert.deepEqual(own, ["detach false"]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("ended sessions that shared a mixer are collected: one keeping every wake, one keeping its `MixerSession`s until detached", async () => {
  // In a process of its own, where a full garbage collection can be asked for: a transport still
  // reachable after it is what the mixer holds of a session that is over.
  assert.deepEqual(await runWithGc(new URL("./_kept_wakes.ts", import.meta.url)), {
    sessions: 5,
    keepsEveryWake: 0,
    keepsLiveSessions: 0,
  });
});

Deno.test("an `attach` that returns the mixer itself is served the old way; a wake kept past the end does nothing", async () => {
  const clock = new FakeClock();
  const wakes: (() => void)[] = [];
  const calls: string[] = [];
  const mixer: OutboundMixer = {
    attach(_format, wake) {
      calls.push("attach");
      wakes.push(wake);
      return mixer; // itself (a chained style): not a session of its own
    },
    mix: (chunk) => chunk,
    fill() {
      calls.push("fill");
      return undefined; // idle until woken
    },
    detach(attached) {
      calls.push(`detach ${attached}`);
    },
  };
  const a = call(clock, mixer);
  await clock.tick(100);
  assert.deepEqual(calls, ["attach", "fill"]);
  wakes[0]!(); // woken: asks for a fill again
  assert.deepEqual(calls, ["attach", "fill", "fill"]);
  a.pair.client.close(1000);
  await a.transport.closed;
  assert.deepEqual(calls, ["attach", "fill", "fill", "detach true"]);
  wakes[0]!();
  await clock.tick(100);
  assert.deepEqual(calls, ["attach", "fill", "fill", "detach true"], "the kept wake does nothing");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`transport.background` is the `BackgroundAudio` the shared `background` function made for that session", async () => {
  const clock = new FakeClock();
  const track = new Int16Array(16000).fill(4000);
  const made: BackgroundAudio[] = [];
  const background = () => {
    const audio = new BackgroundAudio(track, { sampleRate: 16000, volume: 1, fadeMs: 0 });
    made.push(audio);
    return audio;
  };
  const a = call(clock, background);
  const b = call(clock, background);
  assert.equal(made.length, 2);
  assert.equal(a.transport.background, made[0]);
  assert.equal(b.transport.background, made[1]);
  await clock.tick(200);
  (a.transport.background as BackgroundAudio).stop(); // reached through the transport alone
  await clock.tick(100);
  const [heardA, heardB] = [a.heard.chunks, b.heard.chunks];
  await clock.tick(500);
  assert.equal(a.heard.chunks, heardA, "A's background stopped: no filler");
  assert.ok(b.heard.chunks - heardB >= 24, "B's plays on");
  a.pair.client.close(1000);
  b.pair.client.close(1000);
  await Promise.all([a.transport.closed, b.transport.closed]);
  assert.deepEqual([a.errors, b.errors], [[], []]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`transport.background`: the instance given, none without one, and none once a `BackgroundAudio` declined", async () => {
  const clock = new FakeClock();
  const none = call(clock, undefined);
  assert.equal(none.transport.background, undefined);
  const music = new BackgroundAudio(new Int16Array(1600), { sampleRate: 16000 });
  const a = call(clock, music);
  const b = call(clock, music);
  assert.equal(a.transport.background, music);
  await clock.tick(10);
  assert.equal(a.transport.background, music);
  assert.equal(b.transport.background, undefined, "declined: it plays in A");
  for (const { pair, transport } of [none, a, b]) {
    pair.client.close(1000);
    await transport.closed;
  }
  assert.equal(clock.pendingTimers, 0);
});

/**
 * A mixer whose `attach` wakes the session before it returns (its audio is ready at once) and
 * answers with `answer` (a `MixerSession` playing 1234, or `false`); `own` records calls to its
 * own methods, which play 9999.
 */
function wakesInAttach(answer: "session" | "decline") {
  const own: string[] = [];
  const mixer: OutboundMixer = {
    attach(format, wake) {
      wake();
      if (answer === "decline") return false;
      const session: MixerSession = {
        mix: (chunk) => chunk,
        fill: () => tone(format, 1234),
        detach() {},
      };
      return session;
    },
    mix(chunk) {
      own.push("mix");
      return chunk;
    },
    fill() {
      own.push("fill");
      return tone({ sampleRate: 16000, channels: 1, chunkMs: 20 }, 9999);
    },
    detach(attached) {
      own.push(`detach ${attached}`);
    },
  };
  return { mixer, own };
}

Deno.test("a shared mixer that wakes the session within its `attach` serves it through its `MixerSession` alone", async () => {
  // The wake ran the pump before `attach` had returned the session's own side: the pump filled
  // from the mixer's own `fill`, and the far end heard what the mixer plays for all.
  const clock = new FakeClock();
  const { mixer, own } = wakesInAttach("session");
  const a = call(clock, mixer);
  await clock.tick(200);
  assert.ok(a.heard.chunks >= 9, `it hears its background (${a.heard.chunks})`);
  a.pair.client.close(1000);
  await a.transport.closed;
  assert.deepEqual(own, [], "the mixer's own methods serve no session that has a MixerSession");
  assert.deepEqual([...a.heard.levels], [1234], "the far end hears this session's own only");
  assert.deepEqual(a.errors, []);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("a mixer that wakes the session within an `attach` that declines it is not filled for it", async () => {
  const clock = new FakeClock();
  const { mixer, own } = wakesInAttach("decline");
  const a = call(clock, mixer);
  await clock.tick(200);
  a.pair.client.close(1000);
  await a.transport.closed;
  assert.deepEqual(own, [], "nothing of the mixer is called after it declined");
  assert.equal(a.heard.chunks, 0, "the far end hears nothing of it");
  assert.equal(a.errors.length, 1);
  assert.match(a.errors[0]!.message, /declined this session/);
  assert.equal(clock.pendingTimers, 0);
});
