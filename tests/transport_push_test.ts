// The push surface (receive/send), the streams as a layer over it, and the lifecycle rules added
// with it: buffer ownership, close codes, the inactivity watch.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  type Frame,
  TransportError,
  type TransportErrorEvent,
  WebSocketTransport,
} from "../mod.ts";
import type { TransportOptions } from "../src/transport_options.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

function session(options: TransportOptions = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
    ...options,
  });
  const received: { at: number; data: string | Uint8Array }[] = [];
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    received.push({
      at: clock.now(),
      data: typeof data === "string" ? data : new Uint8Array(data),
    });
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push((event as TransportErrorEvent).error));
  return { clock, pair, transport, received, errors };
}

/** `ms` of 16 kHz mono PCM16 whose every byte is `value`. */
function audio(ms: number, value = 1): Frame {
  return {
    type: "audio",
    audio: new Uint8Array(ms * 32).fill(value),
    sampleRate: 16000,
    channels: 1,
  };
}

Deno.test("`WebSocketTransport.receive` gets the frames that waited, then each as it arrives", async () => {
  const { clock, pair, transport } = session();
  pair.client.send('"first"');
  await clock.tick(1);
  const frames: Frame[] = [];
  transport.receive((frame) => frames.push(frame));
  assert.deepEqual(frames, [{ type: "message", message: "first" }]);
  pair.client.send(new Uint8Array(640));
  await pair.server.waitFor(() => frames.length === 2);
  assert.equal(frames[1]!.type, "audio");
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`WebSocketTransport.receive` hands on no frame once the session is closing", async () => {
  const { clock, pair, transport } = session();
  const frames: Frame[] = [];
  transport.receive((frame) => {
    frames.push(frame);
    void transport.close(1000); // the first message ends the session
  });
  pair.client.stall(); // the close frame waits unread: the socket stays CLOSING meanwhile
  pair.client.send('"first"');
  await clock.tick(1);
  assert.equal(pair.server.readyState, 2);
  // A message read while closing: a standard WebSocket (MemorySocket too) dispatches none, but
  // Node's ws and Deno's client sockets do.
  pair.server.dispatchEvent(Object.assign(new Event("message"), { data: '"second"' }));
  pair.client.resume();
  await clock.tick(1);
  await transport.closed;
  assert.deepEqual(frames, [{ type: "message", message: "first" }]);
  assert.equal(transport.stats.messagesIn, 2, "the second message did arrive");
});

Deno.test("`WebSocketTransport` counts in framesIn only frames handed on: none that come while closing or after the readable was cancelled", async () => {
  const { clock, pair, transport } = session();
  const frames: Frame[] = [];
  transport.receive((frame) => frames.push(frame));
  await clock.tick(1);
  pair.client.answersClose = false; // the socket stays CLOSING until the close times out
  void transport.close(1000);
  // Read while closing (Node's ws and Deno's client sockets dispatch such messages).
  pair.server.dispatchEvent(Object.assign(new Event("message"), { data: '{"dtmf":"5"}' }));
  await clock.runAll(10_000);
  await transport.closed;
  assert.deepEqual(frames, []);
  assert.equal(transport.stats.messagesIn, 1, "the message did arrive");
  assert.equal(transport.stats.framesIn, 0);

  const other = session();
  other.pair.client.send('"read"');
  const reader = other.transport.readable.getReader();
  await reader.read();
  await reader.cancel(); // the writable is still open: the session goes on
  other.pair.client.send('"unread"');
  await other.clock.tick(1);
  assert.equal(other.transport.stats.messagesIn, 2);
  assert.equal(other.transport.stats.framesIn, 1);
  other.pair.client.close(1000);
  await other.transport.closed;
});

Deno.test("`WebSocketTransport` gives its frames to one reader: receive() or readable, not both", async () => {
  const { pair, transport } = session();
  transport.receive(() => {});
  assert.throws(() => transport.readable, TypeError);
  assert.throws(() => transport.receive(() => {}), TypeError);
  const other = session();
  const readable = other.transport.readable;
  assert.equal(other.transport.readable, readable, "readable is made once");
  assert.throws(() => other.transport.receive(() => {}), TypeError);
  pair.client.close(1000);
  other.pair.client.close(1000);
  await Promise.all([transport.closed, other.transport.closed, readable.cancel()]);
});

Deno.test("`WebSocketTransport.send` returns nothing while there is room, a promise once there is not", async () => {
  const { clock, pair, transport, received } = session({ maxQueuedMs: 100 });
  await clock.tick(0); // connected
  const answers = Array.from({ length: 10 }, () => transport.send(audio(20)));
  // 20 ms chunks, one chunk ahead: two leave at once; from the eighth write on, over 100 ms waits.
  assert.deepEqual(answers.map((a) => a === undefined), [
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    false,
    false,
    false,
  ]);
  const wait = answers[7]!;
  let roomAt = -1;
  void wait.then(() => (roomAt = clock.now()));
  await clock.tick(200);
  assert.equal(roomAt, 60, "room once no more than 100 ms of audio waits");
  assert.equal(received.length, 10);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`WebSocketTransport.send` copies queued audio: a bot may reuse its buffer at once", async () => {
  const { clock, pair, transport, received } = session();
  await clock.tick(0);
  const buffer = new Uint8Array(100 * 32); // 100 ms, reused for every write
  for (let i = 1; i <= 3; i++) {
    buffer.fill(i);
    transport.send({ type: "audio", audio: buffer, sampleRate: 16000, channels: 1 });
  }
  buffer.fill(99);
  await clock.tick(400);
  const bytes = received.map((r) => r.data as Uint8Array);
  assert.equal(bytes.length, 15);
  for (const [i, chunk] of bytes.entries()) {
    const value = Math.floor(i / 5) + 1;
    assert.ok(chunk.every((b) => b === value), `chunk ${i} should be all ${value}`);
  }
  pair.client.close(1000);
  await transport.closed;
});

for (
  const [kind, make] of [
    ["Uint8Array", (n: number) => new Uint8Array(n)],
    // A Node `Buffer` (TTS SDKs, fs, ws hand them out): its `slice()` is a view, not a copy.
    ["Node Buffer", (n: number) => Buffer.alloc(n)],
  ] as const
) {
  Deno.test(`\`WebSocketTransport.writable\` copies audio written behind a write waiting for room: a bot may reuse its buffer once write returns (${kind})`, async () => {
    await writesOfOneBuffer(make(100 * 32)); // 100 ms, reused for every write
  });
}

async function writesOfOneBuffer(buffer: Uint8Array): Promise<void> {
  const { clock, pair, transport, received } = session({ maxQueuedMs: 100 });
  await clock.tick(0);
  const writer = transport.writable.getWriter();
  const writes: Promise<void>[] = [];
  for (let i = 1; i <= 3; i++) {
    buffer.fill(i);
    writes.push(writer.write({ type: "audio", audio: buffer, sampleRate: 16000, channels: 1 }));
  }
  buffer.fill(99); // the second and third writes wait for room behind the first
  await clock.tick(400);
  await Promise.all(writes);
  const bytes = received.map((r) => r.data as Uint8Array);
  assert.equal(bytes.length, 15);
  for (const [i, chunk] of bytes.entries()) {
    const value = Math.floor(i / 5) + 1;
    assert.ok(chunk.every((b) => b === value), `chunk ${i} should be all ${value}`);
  }
  writer.releaseLock();
  pair.client.close(1000);
  await transport.closed;
}

Deno.test("`WebSocketTransport.send` sends a real-time whole chunk before it returns; early and partial audio wait their turn", async () => {
  const { clock, pair, transport, received } = session({ sendAheadMs: 40 });
  await clock.tick(0);
  // Real time: a 20 ms chunk every 20 ms leaves within its send.
  for (let i = 1; i <= 5; i++) {
    const before = pair.server.sent.length;
    assert.equal(transport.send(audio(20, i)), undefined);
    assert.equal(pair.server.sent.length, before + 1, `chunk ${i} left within send()`);
    await clock.tick(20);
  }
  // At 100 ms, five chunks at once, 40 ms ahead: three are due now, then one every 20 ms.
  for (let i = 6; i <= 10; i++) transport.send(audio(20, i));
  assert.equal(pair.server.sent.length, 8);
  // A partial frame is held for the rest of its chunk, and a whole one after it is cut to match.
  transport.send(audio(10, 11));
  transport.send(audio(20, 12));
  await clock.tick(200);
  const firstBytes = received.map((
    r,
  ) => [(r.data as Uint8Array)[0], (r.data as Uint8Array).at(-1)]);
  assert.deepEqual(firstBytes, [
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
    [5, 5],
    [6, 6],
    [7, 7],
    [8, 8],
    [9, 9],
    [10, 10],
    [11, 12],
    [12, 12], // the last 10 ms, sent once no more audio came
  ]);
  assert.deepEqual(received.slice(8, 11).map((r) => r.at), [120, 140, 160]);
  assert.equal(transport.stats.audioChunksSent, 12);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`WebSocketTransport` paces a burst with one timer at a time, not one per chunk", async () => {
  const { clock, pair, transport, received } = session({ maxQueuedMs: 10_000 });
  await clock.tick(0);
  transport.send(audio(1000));
  let most = 0;
  for (let t = 0; t < 1000; t += 5) {
    most = Math.max(most, clock.pendingTimers);
    await clock.tick(5);
  }
  assert.equal(received.length, 50);
  assert.equal(most, 1);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`WebSocketTransport` ends the session with 1011 when a receive handler throws", async () => {
  const { clock, pair, transport, errors } = session();
  transport.receive(() => {
    throw new Error("bot bug");
  });
  pair.client.send('{"hello":1}');
  const closed = await transport.closed;
  assert.equal(closed.code, 1011);
  assert.equal(errors[0]?.code, "application");
  assert.match(errors[0]!.message, /bot bug/);
  await clock.tick(1000);
});

Deno.test("`WebSocketTransport` ends the session with 1011 when an async receive handler rejects, and nothing is left unhandled", async () => {
  const { clock, pair, transport, errors } = session();
  // An unhandled rejection ends a Deno or Node process (the test runner fails this test on one):
  // every other call on the server would end with it.
  transport.receive(async (frame) => {
    await null;
    if (frame.type === "message") throw new Error("bot bug in one call");
  });
  pair.client.send('{"hello":1}');
  const closed = await transport.closed;
  assert.equal(closed.code, 1011);
  assert.equal(closed.initiator, "local");
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.code, "application");
  assert.equal(errors[0]?.fatal, true);
  assert.match(errors[0]!.message, /bot bug in one call/);
  await clock.tick(1000);
});

Deno.test("`WebSocketTransport`: aborting a writer whose long write waits for room ends the session at once, its audio dropped and counted", async () => {
  const { clock, transport, received } = session({ maxQueuedMs: 200 });
  const writer = transport.writable.getWriter();
  // A TTS buffer of 30 s: its write waits for room until most of it has played.
  const write = writer.write(audio(30_000));
  await clock.tick(100);
  const aborted = writer.abort(new Error("the LLM failed"));
  await clock.tick(100);
  const closed = await transport.closed;
  assert.equal(closed.code, 1011);
  assert.ok(clock.now() < 1000, `closed at ${clock.now()} ms, not after the audio played`);
  await write;
  await aborted;
  const sentBytes = transport.stats.audioBytesSent;
  assert.ok(received.length < 20, `${received.length} chunks went out`);
  assert.equal(sentBytes + transport.stats.audioBytesDroppedOnClose, 30_000 * 32);
});

Deno.test("`WebSocketTransport`: frames a writer holds behind a write waiting for room are counted as dropped however the session ends, abort() too", async () => {
  for (const ending of ["writer.abort()", "transport.close()", "the peer's close"]) {
    const { clock, pair, transport } = session({ maxQueuedMs: 100 });
    const writer = transport.writable.getWriter();
    void writer.write(audio(1000)).catch(() => {}); // waits for room
    void writer.write(audio(500)).catch(() => {}); // held behind it
    void writer.write({ type: "message", message: "bye" }).catch(() => {}); // and this
    await clock.tick(30);
    if (ending === "writer.abort()") void writer.abort("stop").catch(() => {});
    else if (ending === "transport.close()") void transport.close(1000);
    else pair.client.close(1000);
    await clock.runAll(20_000);
    await transport.closed;
    const stats = transport.stats;
    assert.equal(stats.audioBytesSent + stats.audioBytesDroppedOnClose, 1500 * 32, ending);
    assert.equal(stats.framesDroppedOnClose, 1, `${ending}: the message`);
  }
});

Deno.test("`WebSocketTransport.close` refuses codes that may not be sent, naming them", async () => {
  const { pair, transport } = session();
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 2000, 5000, 1000.5]) {
    assert.throws(
      () => transport.close(code),
      (e: unknown) => e instanceof RangeError && e.message.includes(String(code)),
    );
  }
  assert.equal(transport.connected || pair.server.readyState === 1, true, "nothing was closed");
  await transport.close(4001, "app reason");
  assert.deepEqual(await transport.closed, {
    code: 4001,
    reason: "app reason",
    initiator: "local",
  });
});

Deno.test("`WebSocketTransport` reports a dropped connection as 1006, a code-less clean close as 1005", async () => {
  for (
    const [init, expected] of [[{ code: 0, wasClean: false }, 1006], [{ wasClean: true }, 1005], [{
      code: 0,
      wasClean: true,
    }, 1005], [{ code: 4000, wasClean: true }, 4000]] as const
  ) {
    const { pair, transport } = session();
    let disconnected = -1;
    transport.addEventListener("disconnected", (e) => (disconnected = e.code));
    pair.server.readyState = 3;
    pair.server.dispatchEvent(Object.assign(new Event("close"), init));
    assert.equal((await transport.closed).code, expected, JSON.stringify(init));
    assert.equal(disconnected, expected);
  }
});

Deno.test("`WebSocketTransport` drops the connection when the peer never answers the close", async () => {
  const { clock, pair, transport } = session({ closeTimeoutMs: 500 });
  pair.client.answersClose = false;
  let clientSaw = -1;
  pair.client.addEventListener("close", (e) => (clientSaw = (e as CloseEvent).code));
  const closing = transport.close(1000);
  await clock.tick(500);
  await closing;
  assert.deepEqual(await transport.closed, { code: 1000, reason: "", initiator: "local" });
  await pair.client.waitFor(() => clientSaw !== -1);
  assert.equal(clientSaw, 1006, "terminated, not left open");
  assert.equal(pair.server.readyState, 3);
});

Deno.test("`WebSocketTransport` closes with 1001 when the peer is silent for inactivityTimeoutMs", async () => {
  const { clock, pair, transport } = session({ inactivityTimeoutMs: 3000 });
  let inactive = 0;
  transport.addEventListener("inactive", () => inactive++);
  for (let i = 0; i < 5; i++) {
    await clock.tick(2000);
    pair.client.send(new Uint8Array(640)); // heard from: the count starts again
  }
  await clock.tick(2999);
  assert.equal(inactive, 0);
  await clock.tick(1);
  assert.equal(inactive, 1);
  const closed = await transport.closed;
  assert.equal(closed.code, 1001);
  assert.match(closed.reason, /3000 ms/);
});

Deno.test("`WebSocketTransport` keeps a silent session when an inactive listener prevents it", async () => {
  const { clock, pair, transport } = session({ inactivityTimeoutMs: 1000 });
  const at: number[] = [];
  transport.addEventListener("inactive", (e) => {
    at.push(clock.now());
    e.preventDefault();
  });
  await clock.tick(3500);
  assert.deepEqual(at, [1000, 2000, 3000]);
  assert.equal(transport.connected, true);
  pair.client.close(1000);
  await transport.closed;
  assert.equal(clock.pendingTimers, 0, "the watch stops with the session");
});

Deno.test("`WebSocketTransport` refuses a non-positive inactivityTimeoutMs", () => {
  const { pair } = session();
  for (const bad of [0, -1, NaN, Infinity]) {
    assert.throws(
      () => new WebSocketTransport(pair.server, { inactivityTimeoutMs: bad }),
      /inactivityTimeoutMs/,
    );
  }
  pair.client.close(1000);
});

Deno.test("`WebSocketTransport` counts what a serializer reports through its context", async () => {
  const pair = new MemorySocketPair();
  const clock = new FakeClock();
  let context: Parameters<NonNullable<import("../mod.ts").FrameSerializer["bind"]>>[0] | undefined;
  const transport = new WebSocketTransport(pair.server, {
    clock,
    serializer: {
      bind: (c) => (context = c),
      serialize: () => null,
      deserialize: () => null,
    },
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  context!.count("inboundMediaLate");
  context!.count("inboundMediaGapMs", 40);
  context!.report(new TransportError("decode", "late packet"));
  context!.send("hello");
  await pair.client.waitFor(() => pair.server.sent.length === 1);
  assert.equal(transport.stats.inboundMediaLate, 1);
  assert.equal(transport.stats.inboundMediaGapMs, 40);
  assert.equal(errors[0]?.message, "late packet");
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`interrupt` sends the clear before anything the bot sends right after it", async () => {
  const { clock, pair, transport, received } = session({
    serializer: {
      serialize: (frame) =>
        frame.type === "interruption"
          ? "clear"
          : frame.type === "audio"
          ? `audio ${frame.audio[0]}`
          : null,
      deserialize: () => null,
    },
  });
  await clock.tick(0);
  transport.send(audio(100, 1));
  void transport.interrupt();
  transport.send(audio(20, 2)); // the next response, written at once
  await clock.tick(100);
  assert.deepEqual(received.map((r) => r.data), ["audio 1", "audio 1", "clear", "audio 2"]);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`WebSocketTransport` sends the held-back end of an utterance once no audio follows", async () => {
  const { clock, pair, transport, received } = session();
  await clock.tick(0);
  transport.send(audio(50, 3)); // two 20 ms chunks and 10 ms the chunker holds for the next
  await clock.tick(30);
  assert.deepEqual(received.map((r) => (r.data as Uint8Array).length), [640, 640]);
  await clock.tick(100); // quiet: that 10 ms is the end of what was said
  assert.deepEqual(received.map((r) => (r.data as Uint8Array).length), [640, 640, 320]);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`WebSocketTransport` keeps a live relay's chunks whole: a remainder waits for more audio", async () => {
  const { clock, pair, transport, received } = session();
  await clock.tick(0);
  for (let i = 0; i < 20; i++) {
    transport.send(audio(30, 3)); // 30 ms frames on 20 ms chunks, in real time
    await clock.tick(30);
  }
  assert.ok(received.every((r) => (r.data as Uint8Array).length === 640), "every chunk whole");
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("`WebSocketTransport` sends a packetized tail as a padded packet once no audio follows", async () => {
  const { clock, pair, transport, received } = session({ fixedAudioPacketSize: 1000 });
  await clock.tick(0);
  transport.send(audio(40, 3)); // 1280 bytes: one packet of 1000, 280 waiting for more
  await clock.tick(200);
  assert.deepEqual(received.map((r) => (r.data as Uint8Array).length), [1000, 1000]);
  assert.ok((received[1]!.data as Uint8Array).subarray(280).every((b) => b === 0), "padded");
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("a real-time relay of half chunks sends its last half chunk and stops speaking; so does a stream ending in an empty frame", async () => {
  // 31 frames of 10 ms into 20 ms chunks: the last frame is half a chunk that nothing joins. It
  // goes out once nothing more has come for two chunks' time, and the response then ends.
  for (const ending of ["half chunk", "empty frame"] as const) {
    const s = session();
    const stops: number[] = [];
    s.transport.addEventListener("speakingstop", (e) => stops.push(e.sentMs));
    await s.clock.tick(0);
    const frames = ending === "half chunk" ? 31 : 30;
    for (let i = 0; i < frames; i++) {
      s.transport.send({ ...audio(10), responseId: "live" } as Frame);
      await s.clock.tick(10);
    }
    if (ending === "empty frame") {
      s.transport.send({ ...audio(0), responseId: "live" } as Frame);
    }
    await s.clock.tick(1000);
    const bytes = s.received.reduce((sum, r) => sum + r.data.length, 0);
    assert.equal(bytes, frames * 320, `${ending}: everything written went out`);
    assert.deepEqual(stops, [frames * 10], `${ending}: the response stopped, all of it sent`);
    assert.equal(s.transport.playback.speaking, false);
    assert.equal(s.transport.playback.queuedMs, 0);
    s.pair.client.close(1000);
    await s.transport.closed;
  }
});

Deno.test("frames queued behind audio when the session ends are counted as dropped, not lost silently", async () => {
  const s = session();
  await s.clock.tick(1);
  s.transport.send(audio(1000)); // a second of audio ahead of them
  s.transport.send({ type: "message", message: { hi: 1 } });
  s.transport.send({ type: "mark", name: "m1" });
  await s.clock.tick(100);
  s.pair.client.close(1000);
  await s.clock.tick(10);
  await s.transport.closed;
  assert.deepEqual(s.received.filter((r) => typeof r.data === "string"), [], "they never left");
  assert.equal(s.transport.stats.framesDroppedOnClose, 2);
  const sent = s.transport.stats.audioBytesSent;
  assert.equal(sent + s.transport.stats.audioBytesDroppedOnClose, 1000 * 32, "every byte told");
});

Deno.test("`send` of what is not a frame is an encode error naming it, and the session goes on", async () => {
  const s = session();
  await s.clock.tick(1);
  const cases: [unknown, RegExp][] = [
    [null, /got null/],
    [42, /got number/],
    [{}, /type undefined/],
    [{ type: "bogus" }, /type "bogus"/],
  ];
  for (const [value, message] of cases) {
    s.transport.send(value as Frame);
    const error = s.errors.at(-1);
    assert.ok(error?.code === "encode" && message.test(error.message), String(error));
  }
  assert.equal(s.transport.stats.encodeErrors, 4);
  // Audio whose format no audio has: its chunks would be sized from it (a rate of 2^53 Hz asked
  // for a buffer no runtime can allocate, and `send` threw a RangeError).
  for (const [sampleRate, channels] of [[2 ** 53 - 1, 1], [384_001, 1], [16000, 33]] as const) {
    s.transport.send({ type: "audio", audio: new Uint8Array(4), sampleRate, channels });
    const error = s.errors.at(-1);
    assert.ok(error?.code === "encode" && /sampleRate|channels/.test(error.message), String(error));
  }
  assert.equal(s.transport.stats.encodeErrors, 7);
  // Through the writable too (a pipe from a bot that emits its own events): the stream goes on.
  const writer = s.transport.writable.getWriter();
  await writer.write({ type: "bot-event" } as unknown as Frame);
  assert.equal(s.transport.stats.encodeErrors, 8);
  writer.releaseLock();
  s.transport.send(audio(20));
  await s.clock.tick(0);
  assert.equal(s.received.length, 1, "audio still goes out");
  // Only frames are counted: the three refused for their format are frames, the rest are not.
  assert.equal(s.transport.stats.framesOut, 4);
  s.pair.client.close(1000);
  await s.transport.closed;
});

Deno.test("`WebSocketTransport`: an async receive handler's failures after the first, or after the session ended, raise no more errors", async () => {
  const { clock, pair, transport, errors } = session();
  const failures: ((cause: unknown) => void)[] = [];
  transport.receive(() => new Promise<void>((_, reject) => void failures.push(reject)));
  for (const text of ['"a"', '"b"', '"c"']) pair.client.send(text);
  await clock.tick(10);
  failures[0]!(new Error("first"));
  await transport.closed;
  failures[1]!(new Error("second, a frame still in the handler"));
  await clock.tick(10);
  assert.deepEqual(errors.map((e) => e.message), ["receive handler threw: Error: first"]);
  failures[2]!(new Error("third"));
  await clock.tick(10);
  assert.equal(errors.length, 1);
});

Deno.test('`WebSocketTransport` on a socket already open tells "connected" before any frame, even when the peer speaks and leaves at once', async () => {
  // Node's ws, Bun and Workers hand over a socket already open, whose first messages may come
  // before "connected" (a task away, for listeners added after the upgrade was awaited).
  for (const leaves of [false, true]) {
    const { pair, transport } = session();
    const seen: string[] = [];
    for (const type of ["connected", "disconnected"]) {
      transport.addEventListener(type, () => seen.push(type));
    }
    transport.receive(() => {
      seen.push(`frame, connected: ${transport.connected}`);
      if (!leaves) void transport.close(4000, "bye");
    });
    pair.client.send('{"hello":1}');
    if (leaves) pair.client.close(1000);
    const closed = await transport.closed;
    assert.equal(closed.code, leaves ? 1000 : 4000);
    assert.deepEqual(
      seen,
      leaves
        ? ["connected", "frame, connected: true", "disconnected"]
        : ["connected", "frame, connected: true"],
    );
  }
});
