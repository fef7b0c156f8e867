// One BackgroundAudio handed to two live sessions (made once next to the track, a user mistake
// that looks natural): the second used to be refused by silencing the background for both, so
// the first call lost its hold music mid-call, told only through `onError`; and a second session
// that ended before its socket opened ended the first's background (a stream's read cancelled).
import assert from "node:assert/strict";
import {
  type AudioFrame,
  BackgroundAudio,
  type TransportError,
  WebSocketTransport,
} from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const BACKGROUND = 4000;

/** A session sending `background`, counting the chunks of it its far end hears. */
function session(clock: FakeClock, background: BackgroundAudio, connecting = false) {
  const pair = new MemorySocketPair({ connecting });
  const transport = new WebSocketTransport(pair.server, {
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    background,
    clock,
  });
  const heard = { chunks: 0 };
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data === "string") return;
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data as Uint8Array;
    if (new Int16Array(bytes.buffer, bytes.byteOffset, 1)[0] === BACKGROUND) heard.chunks++;
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  return { pair, transport, heard, errors };
}

function music(onError: (error: Error) => void): BackgroundAudio {
  const track = new Int16Array(16000).fill(BACKGROUND);
  return new BackgroundAudio(track, { sampleRate: 16000, volume: 1, fadeMs: 0, onError });
}

Deno.test("`BackgroundAudio` of a live session: a second session opened with it goes without, told why, and the first keeps it", async () => {
  const clock = new FakeClock();
  const told: Error[] = [];
  const background = music((error) => told.push(error));
  const a = session(clock, background);
  await clock.tick(1000);
  assert.ok(a.heard.chunks >= 49, `call A hears its background (${a.heard.chunks} chunks)`);
  const b = session(clock, background);
  await clock.tick(10);
  assert.equal(b.errors.length, 1, "call B is told");
  assert.match(b.errors[0]!.message, /declined this session: it plays in another session/);
  assert.equal(b.errors[0]!.code, "application");
  assert.equal(b.errors[0]!.fatal, false, "call B goes on, without it");
  let heard = a.heard.chunks;
  await clock.tick(1000);
  assert.ok(a.heard.chunks - heard >= 49, `call A still hears it (${a.heard.chunks - heard})`);
  assert.equal(b.heard.chunks, 0, "none of A's background goes to B");
  b.pair.client.close(1000);
  await b.transport.closed;
  heard = a.heard.chunks;
  await clock.tick(1000);
  assert.ok(a.heard.chunks - heard >= 49, `and after B's end (${a.heard.chunks - heard})`);
  assert.deepEqual([told, a.errors], [[], []]);
  a.pair.client.close(1000);
  await a.transport.closed;
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`BackgroundAudio` that played in a session now ended: a later session goes without it, told by its transport", async () => {
  // It used to be silenced for good by that session's attach, said only through `onError`: the
  // call heard nothing of it, and its transport dispatched no error.
  const clock = new FakeClock();
  const told: Error[] = [];
  const background = music((error) => told.push(error));
  const a = session(clock, background);
  await clock.tick(500);
  a.pair.client.close(1000);
  await a.transport.closed;
  const c = session(clock, background);
  await clock.tick(500);
  assert.equal(c.heard.chunks, 0);
  assert.deepEqual(
    c.errors.map((e) => [e.code, e.fatal, /declined this session/.test(e.message)]),
    [["application", false, true]],
    "call C is told, on its own transport",
  );
  assert.deepEqual(told, [], "not said twice (onError is for the source's own failures)");
  c.pair.client.close(1000);
  await c.transport.closed;
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`BackgroundAudio` streamed in a live session: a second session with it that ends before opening does not end it", async () => {
  const clock = new FakeClock();
  let cancelled = false;
  const frame: AudioFrame = {
    type: "audio",
    audio: new Uint8Array(new Int16Array(320).fill(BACKGROUND).buffer),
    sampleRate: 16000,
    channels: 1,
  };
  const source = new ReadableStream<AudioFrame>({
    pull: (controller) => controller.enqueue({ ...frame }),
    cancel: () => void (cancelled = true),
  }, { highWaterMark: 0 });
  const background = new BackgroundAudio(source, { volume: 1, fadeMs: 0 });
  const a = session(clock, background);
  await clock.tick(500);
  const b = session(clock, background, true);
  void b.transport.close(1000); // the caller hung up while the socket connected
  await clock.tick(100);
  const heard = a.heard.chunks;
  await clock.tick(1000);
  assert.equal(cancelled, false, "call A's stream is still read");
  assert.ok(a.heard.chunks - heard >= 49, `call A still hears it (${a.heard.chunks - heard})`);
  a.pair.client.close(1000);
  await a.transport.closed;
  assert.equal(cancelled, true, "released at the end of the call it played in");
});
