import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  JsonSerializer,
  RawPcmSerializer,
  type SerializedMessage,
  TransportError,
  type TransportErrorEvent,
  WebSocketTransport,
} from "../mod.ts";
import type { TransportOptions } from "../src/transport_options.ts";
import type { Clock, ClockTimer } from "../src/clock.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";

/** Raw PCM plus words for the frames a telephony protocol has: clear, mark, end, cancel. */
class WireSerializer extends RawPcmSerializer {
  override serialize(frame: Frame): SerializedMessage | null {
    switch (frame.type) {
      case "interruption":
        return "clear";
      case "mark":
        return `mark:${frame.name}`;
      case "end":
        return "end";
      case "cancel":
        return "cancel";
      default:
        return super.serialize(frame);
    }
  }
}

interface Received {
  at: number;
  data: string | Uint8Array;
}

function session(options: TransportOptions = {}, pairOptions: { connecting?: boolean } = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair(pairOptions);
  const transport = new WebSocketTransport(pair.server, {
    serializer: new WireSerializer(),
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
    ...options,
  });
  const received: Received[] = [];
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    received.push({
      at: clock.now(),
      data: typeof data === "string" ? data : new Uint8Array(data),
    });
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (event) => errors.push(event.error));
  const writer = transport.writable.getWriter();
  return { clock, pair, transport, received, errors, writer };
}

function audio(bytes: number, sampleRate = 16000, channels = 1, fill = 0): Frame {
  return { type: "audio", audio: new Uint8Array(bytes).fill(fill), sampleRate, channels };
}

const binary = (received: Received[]) =>
  received.filter((r): r is { at: number; data: Uint8Array } => typeof r.data !== "string");
const texts = (received: Received[]) =>
  received.filter((r) => typeof r.data === "string").map((r) => r.data);

async function shutdown(s: ReturnType<typeof session>) {
  s.writer.releaseLock();
  await s.transport.close();
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0, "no timer left behind");
}

Deno.test("`WebSocketTransport` re-chunks outbound audio to chunkMs", async () => {
  const s = session({ sendAheadMs: 10_000 });
  await s.writer.write(audio(1000));
  await s.writer.write(audio(1000));
  await s.clock.tick(0);
  // 2000 bytes of 16 kHz mono = 62.5 ms: three 640-byte chunks, 80 bytes held back.
  assert.deepEqual(binary(s.received).map((r) => r.data.length), [640, 640, 640]);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` paces a burst of audio in real time, one chunk ahead", async () => {
  const s = session({ maxQueuedMs: 10_000 });
  await s.writer.write(audio(32000)); // one second at once
  await s.clock.tick(0);
  assert.equal(binary(s.received).length, 2, "chunk 0 and the one-chunk lead leave at once");
  await s.clock.tick(500);
  assert.equal(binary(s.received).length, 27);
  await s.clock.tick(500);
  assert.equal(binary(s.received).length, 50);
  for (const [n, r] of binary(s.received).entries()) {
    assert.ok(r.at >= n * 20 - 20, `chunk ${n} left at ${r.at}, more than 20 ms early`);
    assert.ok(r.at <= Math.max(0, n * 20 - 20), `chunk ${n} left late, at ${r.at}`);
  }
  await shutdown(s);
});

Deno.test("`WebSocketTransport` forwards real-time audio with no added wait", async () => {
  const s = session();
  for (let n = 0; n < 50; n++) {
    await s.writer.write(audio(640));
    await s.clock.tick(0);
    assert.equal(binary(s.received).length, n + 1, `chunk ${n} waited`);
    await s.clock.tick(20);
  }
  await shutdown(s);
});

Deno.test("`WebSocketTransport` write waits once maxQueuedMs of audio is queued", async () => {
  const s = session({ maxQueuedMs: 100 });
  let settled = false;
  const write = s.writer.write(audio(32000)).then(() => (settled = true));
  await s.clock.tick(0);
  assert.equal(settled, false, "a second of audio exceeds 100 ms of queue");
  await s.clock.tick(860);
  assert.equal(settled, true, "room again once at most 100 ms remain");
  await write;
  await shutdown(s);
});

Deno.test("`WebSocketTransport.interrupt` drops queued audio and sends clear at once", async () => {
  const s = session({ maxQueuedMs: 10_000 });
  await s.writer.write(audio(32000, 16000, 1, 1));
  await s.clock.tick(200);
  const before = binary(s.received).length;
  assert.equal(before, 12);
  await s.transport.interrupt();
  await s.clock.tick(0);
  assert.equal(texts(s.received).at(-1), "clear");
  await s.clock.tick(2000);
  assert.equal(binary(s.received).length, before, "no stale audio after the interruption");
  assert.equal(s.transport.stats.audioBytesInterrupted, (50 - before) * 640);
  // The pacing clock was reset: new audio leaves at once.
  await s.writer.write(audio(640, 16000, 1, 2));
  await s.clock.tick(0);
  assert.equal(binary(s.received).at(-1)!.data[0], 2);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` treats a written interruption frame like interrupt()", async () => {
  const s = session({ maxQueuedMs: 10_000 });
  await s.writer.write(audio(16000));
  await s.clock.tick(0);
  await s.writer.write({ type: "interruption" });
  await s.clock.tick(1000);
  assert.equal(binary(s.received).length, 2);
  assert.deepEqual(texts(s.received), ["clear"]);
  assert.equal(s.transport.stats.interruptions, 1);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` keeps marks after their audio and lets urgent messages jump", async () => {
  const s = session({ maxQueuedMs: 10_000 });
  await s.writer.write(audio(6400)); // 200 ms
  await s.clock.tick(0);
  await s.writer.write({ type: "mark", name: "m1" });
  await s.writer.write({ type: "message", message: { hurry: true }, urgent: true });
  await s.clock.tick(0);
  assert.deepEqual(texts(s.received), ['{"hurry":true}']);
  await s.clock.tick(200);
  const order = s.received.map((r) => typeof r.data === "string" ? r.data : "audio");
  assert.deepEqual(order, [
    "audio",
    "audio",
    '{"hurry":true}',
    ...Array(8).fill("audio"),
    "mark:m1",
  ]);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` packetizes audio payloads only, dropping the remainder on interruption", async () => {
  const s = session({ fixedAudioPacketSize: 500, lastPacket: "pad", maxQueuedMs: 10_000 });
  await s.writer.write(audio(1280, 16000, 1, 7)); // two chunks of 640
  await s.writer.write({ type: "message", message: "x".repeat(600) });
  // Written ahead of real time, the held-back tail would leave padded 10 ms (half a chunk) before
  // the 40 ms sent run out at the far end: not yet.
  await s.clock.tick(20);
  assert.deepEqual(binary(s.received).map((r) => r.data.length), [500, 500]);
  assert.equal(texts(s.received)[0]!.length, 602, "a long text message is never cut");
  await s.writer.write({ type: "interruption" });
  await s.writer.write(audio(640, 16000, 1, 9));
  await s.clock.tick(100);
  // The first packet after the interruption is all new audio (the rest of it, 140 bytes, goes
  // later as the padded tail of the utterance).
  const first = binary(s.received)[2]!.data;
  assert.equal(first.length, 500);
  assert.ok(first.every((b) => b === 9), "the 280 stale bytes were dropped, not sent first");
  assert.equal(s.transport.stats.audioBytesInterrupted, 280);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` pads the last packet when the writable closes", async () => {
  const s = session({ fixedAudioPacketSize: 500, padByte: 0xff });
  await s.writer.write(audio(640, 16000, 1, 1));
  await s.clock.tick(0);
  const closing = s.writer.close();
  await s.clock.tick(100);
  await closing;
  const packets = binary(s.received).map((r) => r.data);
  assert.deepEqual(packets.map((p) => p.length), [500, 500]);
  assert.equal(packets[1]![139], 1);
  assert.equal(packets[1]![140], 0xff);
  await s.transport.close();
  await s.clock.runAll();
});

Deno.test("`WebSocketTransport` puts a WAV header on each chunk when asked", async () => {
  const s = session({ addWavHeader: true, sendAheadMs: 1000 });
  await s.writer.write(audio(1280));
  await s.clock.tick(0);
  const chunks = binary(s.received).map((r) => r.data);
  assert.deepEqual(chunks.map((c) => c.length), [684, 684]);
  assert.equal(new TextDecoder().decode(chunks[0]!.subarray(0, 4)), "RIFF");
  assert.equal(new DataView(chunks[0]!.buffer).getUint32(24, true), 16000);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` chunks stereo and 8 kHz audio by their own byte rates", async () => {
  const s = session({ sendAheadMs: 10_000 });
  await s.writer.write(audio(48000 * 4 * 0.04, 48000, 2)); // 40 ms of 48 kHz stereo
  await s.writer.write(audio(8000 * 2 * 0.04, 8000, 1)); // 40 ms of 8 kHz mono
  await s.clock.tick(0);
  assert.deepEqual(binary(s.received).map((r) => r.data.length), [3840, 3840, 320, 320]);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` end frame plays out the queue, then says end and closes", async () => {
  const s = session({ maxQueuedMs: 10_000 });
  await s.writer.write(audio(6400)); // 200 ms
  const ended = s.writer.write({ type: "end", reason: "done" });
  await s.clock.tick(150);
  assert.equal(binary(s.received).length, 9);
  assert.deepEqual(texts(s.received), []);
  await s.clock.tick(100);
  assert.deepEqual(texts(s.received), ["end"], "end leaves once the far end has played it all");
  await ended;
  assert.deepEqual(await s.transport.closed, { code: 1000, reason: "done", initiator: "local" });
  await s.clock.runAll();
});

Deno.test("`WebSocketTransport` cancel frame drops the queue and closes at once", async () => {
  const s = session({ maxQueuedMs: 10_000 });
  await s.writer.write(audio(6400));
  await s.clock.tick(0);
  await s.writer.write({ type: "cancel" });
  assert.deepEqual(texts(s.received), ["cancel"]);
  assert.equal((await s.transport.closed).initiator, "local");
  assert.equal(s.transport.stats.audioBytesDroppedOnClose, 6400 - 2 * 640);
  await s.clock.runAll();
});

Deno.test("`WebSocketTransport` remote close mid-stream: disconnected once, writes settle, no timer left", async () => {
  const s = session({ maxQueuedMs: 100 });
  let disconnected = 0;
  s.transport.addEventListener("disconnected", () => disconnected++);
  const reading = Array.fromAsync(s.transport.readable);
  s.pair.client.send(new Uint8Array(640));
  const pending = s.writer.write(audio(32000)); // waits for room
  await s.clock.tick(40);
  s.pair.client.close(1001, "gone");
  await s.pair.client.waitFor(() => s.pair.client.readyState === 3);
  await pending; // settles instead of hanging
  await s.writer.write(audio(640)); // writes after the end are dropped, counted
  const frames = await reading;
  assert.equal(frames.length, 1, "the frame that arrived before the close is still read");
  assert.deepEqual(await s.transport.closed, { code: 1001, reason: "gone", initiator: "remote" });
  assert.equal(disconnected, 1);
  assert.ok(s.transport.stats.audioBytesDroppedOnClose >= 640);
  await s.transport.close(); // closing again is harmless
  assert.equal(disconnected, 1);
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("`WebSocketTransport.close` is bounded by closeTimeoutMs when the peer never answers", async () => {
  const s = session({ closeTimeoutMs: 300 });
  s.pair.client.answersClose = false;
  let done = false;
  const closing = s.transport.close(1000, "bye").then(() => (done = true));
  await s.clock.tick(299);
  assert.equal(done, false);
  await s.clock.tick(1);
  await closing;
  assert.equal(s.errors.at(-1)?.code, "timeout");
  assert.equal((await s.transport.closed).initiator, "local");
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("`WebSocketTransport` closes the socket once both readable and writable are done", async () => {
  const s = session();
  let closes = 0;
  s.pair.client.addEventListener("close", () => closes++);
  await s.transport.readable.cancel();
  await s.clock.tick(0);
  assert.equal(s.pair.server.readyState, 1, "the writable is still in use");
  await s.writer.close();
  await s.transport.closed;
  await s.clock.runAll();
  assert.equal(closes, 1);
  assert.equal((await s.transport.closed).initiator, "local");
});

Deno.test("`WebSocketTransport` dispatches sessiontimeout once and closes nothing", async () => {
  const s = session({ sessionTimeoutMs: 1000 });
  let timeouts = 0;
  s.transport.addEventListener("sessiontimeout", () => timeouts++);
  await s.clock.tick(999);
  assert.equal(timeouts, 0);
  await s.clock.tick(5000);
  assert.equal(timeouts, 1);
  assert.equal(s.pair.server.readyState, 1);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` reports connected a task after construction on an open socket", async () => {
  const s = session();
  let connected = 0;
  s.transport.addEventListener("connected", () => connected++);
  assert.equal(s.transport.connected, false);
  await s.clock.tick(0);
  assert.equal(connected, 1, "a listener added right after the upgrade still hears it");
  assert.equal(s.transport.connected, true);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` reports connected once the socket opens", async () => {
  const s = session({}, { connecting: true });
  let connected = 0;
  s.transport.addEventListener("connected", () => connected++);
  await s.writer.write(audio(640));
  await s.clock.tick(0);
  assert.equal(connected, 0);
  assert.equal(binary(s.received).length, 0, "nothing is sent before the socket opens");
  s.pair.open();
  await s.clock.tick(0);
  assert.equal(connected, 1);
  assert.equal(binary(s.received).length, 1);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` ends a session whose socket never opens after openTimeoutMs", async () => {
  const s = session({ openTimeoutMs: 1000 }, { connecting: true });
  let ended: unknown;
  void s.transport.closed.then((closed) => (ended = closed));
  let written = false;
  void s.writer.write(audio(640 * 25)).then(() => (written = true)); // 500 ms: over maxQueuedMs
  await s.clock.tick(999);
  assert.equal(ended, undefined);
  assert.equal(written, false, "the write waits for room");
  assert.equal(s.errors.length, 0);
  await s.clock.tick(1);
  assert.deepEqual(ended, {
    code: 1006,
    reason: "the socket did not open within 1000 ms",
    initiator: "remote", // the caller never came, or is gone: it ended the session
  });
  assert.equal(written, true, "a pending write settles");
  assert.deepEqual(s.errors.map((e) => [e.code, e.closeCode, e.fatal]), [["timeout", 1006, false]]);
  assert.equal(s.transport.stats.audioBytesDroppedOnClose, 640 * 25);
  await s.writer.write(audio(640));
  assert.equal(s.transport.stats.audioBytesDroppedOnClose, 640 * 26, "and one after it is counted");
  assert.equal(s.pair.server.readyState, 3, "the socket is dropped, so it cannot open later");
  assert.equal(s.clock.pendingTimers, 0, "no timer left behind");
  await shutdown(s);
});

Deno.test("`WebSocketTransport` disarms the open bound once the socket opens", async () => {
  const s = session({ openTimeoutMs: 1000 }, { connecting: true });
  await s.clock.tick(999);
  s.pair.open();
  await s.clock.tick(5000);
  assert.equal(s.transport.connected, true);
  assert.equal(s.errors.length, 0);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` arms no open bound on a socket that is open already", async () => {
  /** A FakeClock that tells which timers are armed, and whether they are still. */
  const spied = () => {
    const clock = new FakeClock();
    const timers: { ms: number; timer: ClockTimer }[] = [];
    const spy: Clock = {
      now: () => clock.now(),
      sleep: (ms, signal) => clock.sleep(ms, signal),
      timer(callback, options) {
        const timer = clock.timer(callback, options);
        return {
          arm: (ms, now) => (timers.push({ ms, timer }), timer.arm(ms, now)),
          cancel: () => timer.cancel(),
          get armed() {
            return timer.armed;
          },
        };
      },
    };
    const openBound = () => timers.filter((t) => t.ms === 4321 && t.timer.armed).length;
    return { clock, spy, openBound };
  };
  const open = spied();
  const transport = new WebSocketTransport(new MemorySocketPair().server, {
    clock: open.spy,
    openTimeoutMs: 4321,
  });
  assert.equal(open.openBound(), 0);
  const connecting = spied();
  const pair = new MemorySocketPair({ connecting: true });
  const waiting = new WebSocketTransport(pair.server, {
    clock: connecting.spy,
    openTimeoutMs: 4321,
  });
  assert.equal(connecting.openBound(), 1, "armed while the socket connects");
  pair.open();
  assert.equal(connecting.openBound(), 0, "and no longer once it is open");
  for (const [{ clock }, t] of [[open, transport], [connecting, waiting]] as const) {
    await t.close();
    await clock.runAll();
    assert.equal(clock.pendingTimers, 0, "no timer left behind");
  }
});

Deno.test("`WebSocketTransport` reports a bad message as a decode error and reads on", async () => {
  const s = session({ serializer: new JsonSerializer() });
  const reader = s.transport.readable.getReader();
  s.pair.client.send("{not json");
  s.pair.client.send(new Uint8Array([1, 2, 3]));
  s.pair.client.send('{"type":"dtmf","digit":"7"}');
  assert.deepEqual((await reader.read()).value, { type: "dtmf", digit: "7" });
  assert.deepEqual(s.errors.map((e) => e.code), ["decode", "decode"]);
  assert.equal(s.errors.every((e) => !e.fatal), true);
  assert.equal(s.transport.stats.decodeErrors, 2);
  reader.releaseLock();
  await shutdown(s);
});

Deno.test("`WebSocketTransport` keeps message order through an asynchronous serializer", async () => {
  const slow: FrameSerializer = {
    serialize: () => null,
    deserialize: (data) =>
      new Promise((resolve) => queueMicrotask(() => resolve({ type: "text", text: String(data) }))),
  };
  const s = session({ serializer: slow });
  for (let i = 0; i < 20; i++) s.pair.client.send(String(i));
  const reader = s.transport.readable.getReader();
  const got: string[] = [];
  for (let i = 0; i < 20; i++) got.push(((await reader.read()).value as { text: string }).text);
  assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => String(i)));
  reader.releaseLock();
  await shutdown(s);
});

Deno.test("`WebSocketTransport` reads Blob messages when the socket will not give ArrayBuffers", async () => {
  const s = session();
  Object.defineProperty(s.pair.server, "binaryType", { get: () => "blob", set: () => {} });
  const reader = s.transport.readable.getReader();
  s.pair.client.send(new Uint8Array([1, 0, 2, 0]));
  s.pair.client.send('"after"');
  const first = (await reader.read()).value as Frame & { type: "audio" };
  assert.deepEqual([...first.audio], [1, 0, 2, 0]);
  assert.deepEqual((await reader.read()).value, { type: "message", message: "after" });
  reader.releaseLock();
  await shutdown(s);
});

Deno.test("`WebSocketTransport` closes with 1009 on a message over maxMessageBytes", async () => {
  const s = session({ maxMessageBytes: 1000 });
  s.pair.client.send(new Uint8Array(1002));
  const closed = await s.transport.closed;
  assert.equal(closed.code, 1009);
  assert.equal(s.errors[0]?.code, "protocol");
  assert.equal(s.errors[0]?.fatal, true);
  await s.clock.runAll();
});

Deno.test("`WebSocketTransport` drops the oldest inbound audio for a slow reader, never messages", async () => {
  const s = session({ maxInboundFrames: 10 });
  for (let i = 0; i < 15; i++) s.pair.client.send(new Uint8Array(2).fill(i));
  s.pair.client.send('"keep"');
  await s.pair.server.waitFor(() => s.transport.stats.framesIn === 16);
  assert.equal(s.transport.stats.inboundAudioFramesDropped, 6);
  assert.equal(
    s.errors.filter((e) => e.code === "backpressure").length,
    1,
    "reported once per spell",
  );
  const reader = s.transport.readable.getReader();
  const first = (await reader.read()).value as Frame & { type: "audio" };
  assert.equal(first.audio[0], 6, "the oldest were dropped");
  reader.releaseLock();
  await shutdown(s);
});

Deno.test("`WebSocketTransport` refuses bad options with a RangeError naming them", () => {
  const { server } = new MemorySocketPair();
  assert.throws(() => new WebSocketTransport(server, { audioOut: { chunkMs: 0 } }), /chunkMs/);
  assert.throws(
    () => new WebSocketTransport(server, { fixedAudioPacketSize: 1.5 }),
    /fixedAudioPacketSize/,
  );
  assert.throws(
    () => new WebSocketTransport(server, { audioIn: { sampleRate: -1 } }),
    /audioIn.sampleRate/,
  );
  assert.throws(
    () => new WebSocketTransport(server, { markIntervalMs: 500, maxMarkIntervalMs: 400 }),
    (e: unknown) =>
      e instanceof RangeError && /maxMarkIntervalMs must be >= markIntervalMs/.test(e.message),
  );
  assert.throws(() => new WebSocketTransport(server, { openTimeoutMs: 0 }), /openTimeoutMs/);
});

Deno.test("`WebSocketTransport` refuses rates, channels and an end silence no frame or session can carry", () => {
  const { server } = new MemorySocketPair();
  // A frame's bounds (384 kHz, 32 channels): past them every inbound message would be a decode
  // error for the whole call, and every chunk the transport makes itself an encode error.
  for (
    const [options, name] of [
      [{ audioIn: { sampleRate: 500_000 } }, "audioIn.sampleRate must be at most 384000"],
      [{ audioIn: { channels: 64 } }, "audioIn.channels must be at most 32"],
      [{ audioOut: { sampleRate: 384_001 } }, "audioOut.sampleRate must be at most 384000"],
      [{ audioOut: { channels: 33 } }, "audioOut.channels must be at most 32"],
      // Seconds taken for milliseconds twice: the `end` could not allocate its silence.
      [{ endSilenceMs: 1e9 }, "endSilenceMs must be at most 60000"],
    ] as const
  ) {
    assert.throws(
      () => new WebSocketTransport(server, options),
      (e: unknown) => e instanceof RangeError && e.message.startsWith(name),
      name,
    );
  }
  const edge = new WebSocketTransport(new MemorySocketPair().server, {
    audioIn: { sampleRate: 384_000, channels: 32 },
    endSilenceMs: 60_000,
  });
  void edge.close();
});

Deno.test("`WebSocketTransport` refuses an option that is not the object it must be with a TypeError naming it", () => {
  const { server } = new MemorySocketPair();
  // Plain JavaScript has no type checker: each of these once failed later, or named nothing
  // (`background` threw from a timer once the socket opened, which ends the process).
  const bad: [Record<string, unknown>, RegExp][] = [
    [
      { background: new Uint8Array(16044) },
      /^background must be a BackgroundAudio .*got a Uint8Array$/,
    ],
    [{ background: 5 }, /^background must be .*got 5$/],
    [{ serializer: 5 }, /^serializer must be a FrameSerializer .*got 5$/],
    [{ serializer: { serialize() {} } }, /^serializer must be a FrameSerializer .*got an object$/],
    [
      { serializer: () => "twilio" },
      /^what the serializer function returned must be a FrameSerializer, got "twilio"$/,
    ],
    [{ clock: 5 }, /^clock must be a Clock, got 5$/],
    [{ signal: "x" }, /^signal must be an AbortSignal, got "x"$/],
    [{ initialMessages: 5 }, /^initialMessages must be an array of messages, got 5$/],
    [{ initialMessages: '{"event":"connected"}' }, /^initialMessages must be an array .*got "/],
    [{ initialMessages: new Uint8Array(3) }, /^initialMessages must be .*got a Uint8Array$/],
    [
      { initialMessages: ["{}", new MessageEvent("message")] },
      /^initialMessages\[1\] must be a string or a Uint8Array, got a MessageEvent$/,
    ],
  ];
  for (const [options, message] of bad) {
    assert.throws(
      () => new WebSocketTransport(server, options as TransportOptions),
      (e: unknown) => e instanceof TypeError && message.test(e.message),
      JSON.stringify(Object.keys(options)),
    );
  }
});

Deno.test("`WebSocketTransport` reports a malformed outbound audio frame and goes on", async () => {
  const s = session();
  await s.writer.write({ type: "audio", audio: new Uint8Array(3), sampleRate: 16000, channels: 1 });
  await s.writer.write(audio(640));
  await s.clock.tick(0);
  assert.equal(s.errors[0]?.code, "encode");
  assert.equal(binary(s.received).length, 1);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` error events carry TransportError", async () => {
  const s = session({ serializer: new JsonSerializer() });
  const seen = new Promise<TransportErrorEvent>((resolve) =>
    s.transport.addEventListener("error", resolve, { once: true })
  );
  s.pair.client.send("nope");
  const event = await seen;
  assert.ok(event.error instanceof TransportError);
  await shutdown(s);
});

Deno.test("`WebSocketTransport` reads initialMessages first, in order", async () => {
  const s = session({
    serializer: new JsonSerializer(),
    initialMessages: ['{"type":"dtmf","digit":"1"}'],
  });
  s.pair.client.send('{"type":"dtmf","digit":"2"}');
  const reader = s.transport.readable.getReader();
  assert.deepEqual((await reader.read()).value, { type: "dtmf", digit: "1" });
  assert.deepEqual((await reader.read()).value, { type: "dtmf", digit: "2" });
  reader.releaseLock();
  await shutdown(s);
});

Deno.test("`WebSocketTransport` lets the far end close after end when the serializer says it will", async () => {
  class PeerCloses extends WireSerializer {
    readonly peerCloses = true;
  }
  const s = session({ serializer: new PeerCloses(), closeTimeoutMs: 1000 });
  let disconnected = 0;
  s.transport.addEventListener("disconnected", () => disconnected++);
  s.pair.client.addEventListener("message", (e) => {
    if ((e as MessageEvent).data === "end") s.pair.client.close(1000, "peer hung up");
  });
  const ended = s.writer.write({ type: "end" });
  await s.clock.tick(0);
  await ended;
  // The peer's close answers our goodbye: the ending is ours, and no "disconnected" fires.
  assert.deepEqual(await s.transport.closed, {
    code: 1000,
    reason: "peer hung up",
    initiator: "local",
  });
  assert.equal(disconnected, 0);
  await s.clock.runAll();
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("`WebSocketTransport` closes after end within closeTimeoutMs when the far end does not", async () => {
  class PeerCloses extends WireSerializer {
    readonly peerCloses = true;
  }
  const s = session({ serializer: new PeerCloses(), closeTimeoutMs: 1000 });
  const ended = s.writer.write({ type: "end" });
  await s.clock.tick(999);
  assert.equal(s.pair.server.readyState, 1);
  await s.clock.tick(1);
  await ended;
  assert.equal((await s.transport.closed).initiator, "local");
  await s.clock.runAll();
});

Deno.test("a serializer whose setup throws at once ends its session with 1011, reported: the process goes on", async () => {
  const throwing: FrameSerializer = {
    setup() {
      throw new RangeError("no such rate");
    },
    serialize: () => null,
    deserialize: () => null,
  };
  // A shipped serializer refusing a rate it cannot resample does the same.
  const twilio = new TwilioSerializer();
  for (const [serializer, audioIn] of [[throwing, {}], [twilio, { sampleRate: 11025 }]] as const) {
    const { server } = new MemorySocketPair();
    const transport = new WebSocketTransport(server, { serializer, audioIn });
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push(e.error));
    const closed = await transport.closed;
    assert.equal(closed.code, 1011);
    assert.equal(errors[0]?.code, "protocol");
    assert.match(errors[0]!.message, /serializer setup failed/);
  }
});

/** A serializer that sends and reads nothing, with the given `setup`. */
function serializerWithSetUp(setup: () => Promise<void>): FrameSerializer {
  return { setup, serialize: () => null, deserialize: () => null };
}

Deno.test("a serializer set-up that never settles is given up after sendTimeoutMs: 1011, reported, and interrupt() settles", async () => {
  const clock = new FakeClock();
  const hanging = serializerWithSetUp(() => new Promise<void>(() => {}));
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: hanging,
    clock,
    sendTimeoutMs: 3000,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  // Messages that arrive meanwhile wait for the set-up; they must not wait (or pile up) forever.
  for (let i = 0; i < 10; i++) client.send(new Uint8Array(640));
  let interrupted = false;
  void transport.interrupt().then(() => (interrupted = true));
  await clock.tick(2999);
  assert.equal(errors.length, 0);
  assert.equal(server.readyState, 1);
  await clock.tick(1);
  await clock.runAll();
  const closed = await transport.closed;
  assert.equal(closed.code, 1011);
  assert.equal(errors[0]?.code, "protocol");
  assert.match(errors[0]!.message, /serializer setup did not finish within 3000 ms/);
  assert.ok(interrupted, "interrupt() waits for the set-up, so its bound too");
  assert.equal(clock.pendingTimers, 0, "no timer left once the session is over");
});

Deno.test("a hung serializer set-up: interrupt() settles when the peer hangs up first, with no error reported", async () => {
  const clock = new FakeClock();
  const hanging = serializerWithSetUp(() => new Promise<void>(() => {}));
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, { serializer: hanging, clock });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const interrupted = transport.interrupt();
  client.close(1000, "bye"); // the caller hangs up while the set-up runs
  await transport.closed;
  await interrupted;
  await clock.runAll();
  assert.equal(errors.length, 0);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("a serializer set-up that returns a thenable is awaited: one that rejects ends the session with 1011", async () => {
  const clock = new FakeClock();
  const serializer: FrameSerializer = {
    setup: () =>
      ({
        then: (_ok: () => void, fail: (e: unknown) => void) => fail(new Error("no codec")),
      }) as unknown as Promise<void>,
    serialize: () => null,
    deserialize: () => null,
  };
  const transport = new WebSocketTransport(new MemorySocketPair().server, { serializer, clock });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  assert.equal((await transport.closed).code, 1011);
  assert.match(errors[0]?.message ?? "", /serializer setup failed: Error: no codec/);
});

Deno.test("a serializer set-up that settles in time leaves no timer behind when the session ends", async () => {
  const clock = new FakeClock();
  let finish!: () => void;
  const slow: FrameSerializer = {
    setup: () => new Promise<void>((resolve) => (finish = resolve)),
    serialize: () => null,
    deserialize: () => null,
  };
  const { server } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    serializer: slow,
    clock,
    sendTimeoutMs: 3000,
  });
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  await clock.tick(2000);
  finish();
  await clock.tick(5000);
  assert.deepEqual(errors, []);
  assert.equal(server.readyState, 1);
  await transport.close();
  await clock.runAll();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("a serializer serves one session, ever: a second transport given it is refused, then or after; a function makes one each", async () => {
  const shared = new TwilioSerializer();
  const first = new MemorySocketPair();
  const transport = new WebSocketTransport(first.server, { serializer: shared });
  assert.throws(
    () => new WebSocketTransport(new MemorySocketPair().server, { serializer: shared }),
    (e) => e instanceof TypeError && /already serves a live session/.test(e.message),
  );
  const made: FrameSerializer[] = [];
  const options = { serializer: () => (made.push(new TwilioSerializer()), made.at(-1)!) };
  const a = new WebSocketTransport(new MemorySocketPair().server, options);
  const b = new WebSocketTransport(new MemorySocketPair().server, options);
  assert.equal(made.length, 2);
  assert.notEqual(made[0], made[1]);
  // Once its session is over, the instance still holds that call's state: it serves no other.
  await transport.close();
  await a.close();
  await b.close();
  assert.throws(
    () => new WebSocketTransport(new MemorySocketPair().server, { serializer: shared }),
    (e) => e instanceof TypeError && /has served a session already/.test(e.message),
  );
});

/**
 * A transport whose serializer reports `count` errors (`${prefix}${i}`) while it is set up, as
 * Exotel's does inside `upgrade()`, before anyone listens; and the serializer's `report`.
 */
async function reportsAtSetUp(count: number, prefix: string) {
  let report!: (error: TransportError) => void;
  const reporting: FrameSerializer = {
    bind: (context) => void (report = context.report),
    setup() {
      for (let i = 0; i < count; i++) report(new TransportError("encode", `${prefix}${i}`));
    },
    serialize: () => null,
    deserialize: () => null,
  };
  const transport = new WebSocketTransport(new MemorySocketPair().server, {
    serializer: reporting,
  });
  await Promise.resolve();
  return { transport, report };
}

Deno.test("errors reported before anyone listens are held for the first listener: 16, the rest counted", async () => {
  const { transport, report } = await reportsAtSetUp(20, "problem ");
  // A listener whose signal is already aborted is never added: it does not end the hold.
  const gone = AbortSignal.abort();
  transport.addEventListener("error", () => assert.fail("never added"), { signal: gone });
  await Promise.resolve();
  const first: string[] = [];
  const second: string[] = [];
  transport.addEventListener("error", (e) => first.push(e.error.message));
  transport.addEventListener("error", (e) => second.push(e.error.message));
  report(new TransportError("encode", "in the same turn"));
  assert.deepEqual(first, [], "delivered a microtask after the listener is added, not inside it");
  await Promise.resolve();
  // The 16 latest reported before anyone listened, in order, then the one of this turn: it has a
  // listener, so it pushes none of those held out.
  const expected = Array.from({ length: 16 }, (_, i) => `problem ${i + 4}`);
  expected.push("in the same turn");
  assert.deepEqual(first, expected);
  assert.deepEqual(second, expected);
  assert.equal(transport.stats.errorsUnheard, 4);
  report(new TransportError("encode", "later"));
  assert.deepEqual(first.at(-1), "later", "once someone listens, errors go out at once");
  await transport.close();
});

Deno.test("held errors: one a listener reports while they are delivered comes after them; null options are options", async () => {
  const { transport, report } = await reportsAtSetUp(3, "p");
  const heard: string[] = [];
  transport.addEventListener("error", (e) => {
    heard.push(e.error.message);
    if (e.error.message === "p0") report(new TransportError("encode", "from the listener"));
  }, null as unknown as undefined);
  await Promise.resolve();
  assert.deepEqual(heard, ["p0", "p1", "p2", "from the listener"]);
  await transport.close();
});

Deno.test("`WebSocketTransport` whose constructor threw leaves no open bound armed", async () => {
  // A serializer's bind() that throws, on a socket still connecting (a caller gone on Deno): the
  // open bound firing later into a transport never made crashed the process.
  class BadBind extends RawPcmSerializer {
    bind(): void {
      throw new Error("bind failed");
    }
  }
  const clock = new FakeClock();
  const pair = new MemorySocketPair({ connecting: true });
  assert.throws(
    () => new WebSocketTransport(pair.server, { serializer: new BadBind(), clock }),
    /bind failed/,
  );
  assert.equal(clock.pendingTimers, 0, "no timer left by a transport that was never made");
  await clock.tick(20_000);
});

Deno.test("`WebSocketTransport` whose socket cannot be listened to leaves no session timer armed", async () => {
  // A socket without `addEventListener` throws as the transport starts listening, after the
  // session and inactivity bounds were armed: they fired later into a transport never made.
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const deaf = Object.assign(Object.create(pair.server), { addEventListener: undefined });
  assert.throws(() =>
    new WebSocketTransport(deaf, {
      clock,
      sessionTimeoutMs: 60_000,
      inactivityTimeoutMs: 10_000,
    }), TypeError);
  assert.equal(clock.pendingTimers, 0, "no timer left by a transport that was never made");
  await clock.tick(120_000);
});
