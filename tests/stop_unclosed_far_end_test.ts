// A far end that ends its stream and never closes the socket. Twilio's `stop` ("Media Streams -
// WebSocket Messages", #stop-message: sent when the Stream has stopped or the call has ended) is
// the last message of a stream, and Twilio closes the WebSocket itself right after it (observed
// behaviour, not in the docs). A proxy in between, or a peer of its own that copies the protocol,
// may send the `stop` and keep the socket open: the session, its socket and its timers were held
// with no bound (nothing waited on but the far end's close). Now the far end has `closeTimeoutMs`
// after its end of stream to close; then the session closes from this side (1000, a fatal "timeout"
// saying why), that close bounded as any close is. The messages are Twilio's as that page shows
// them.
import assert from "node:assert/strict";
import { type Frame, TransportError, WebSocketTransport } from "../mod.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { within } from "./_ws_client.ts";
import { closeBody, RawFrameReader } from "./adapters/_raw_frame_reader.ts";
import { sendRawUpgrade } from "./adapters/_raw_upgrade.ts";

const CLOSE_TIMEOUT_MS = 300;
/** What the session closes with, and what its fatal "timeout" says. */
const UNCLOSED = "the far end ended its stream and did not close within 300 ms";
const STREAM = "MZ18ad3ab5a668481ce02b83e7395059f0";
const CALL = "CA2ab1b84c2fa0eb0e9f4e0b0bd8b2e2b4";
const ACCOUNT = "AC25e16e9a716a4a1786a7c83f58e30482";

/** Twilio's messages (#connected-message, #start-message, #media-message, #stop-message). */
const connected = { event: "connected", protocol: "Call", version: "1.0.0" };
const start = (sequenceNumber: number) => ({
  event: "start",
  sequenceNumber: String(sequenceNumber),
  start: {
    accountSid: ACCOUNT,
    streamSid: STREAM,
    callSid: CALL,
    tracks: ["inbound"],
    customParameters: {},
    mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
  },
  streamSid: STREAM,
});
/** 20 ms of μ-law silence, the `chunk`th of the stream. */
const media = (sequenceNumber: number, chunk: number) => ({
  event: "media",
  sequenceNumber: String(sequenceNumber),
  media: {
    track: "inbound",
    chunk: String(chunk),
    timestamp: String(chunk * 20),
    payload: new Uint8Array(160).fill(0xff).toBase64(),
  },
  streamSid: STREAM,
});
const stop = (sequenceNumber: number) => ({
  event: "stop",
  sequenceNumber: String(sequenceNumber),
  streamSid: STREAM,
  stop: { accountSid: ACCOUNT, callSid: CALL },
});

/** A client's text frame (RFC 6455 §5.2), masked with a zero key (§5.3): the payload as it is. */
function clientText(message: unknown): Uint8Array {
  const payload = new TextEncoder().encode(JSON.stringify(message));
  assert.ok(payload.length < 65536);
  const length = payload.length < 126
    ? [0x80 | payload.length]
    : [0x80 | 126, payload.length >> 8, payload.length & 0xff];
  const head = [0x81, ...length, 0, 0, 0, 0];
  const frame = new Uint8Array(head.length + payload.length);
  frame.set(head);
  frame.set(payload, head.length);
  return frame;
}

/** Each error's code, as "error" events carried them. */
function errorCodes(transport: WebSocketTransport): string[] {
  const codes: string[] = [];
  transport.addEventListener("error", (event) => {
    const error = (event as ErrorEvent).error;
    codes.push(error instanceof TransportError ? error.code : String(error));
  });
  return codes;
}

Deno.test("a far end that sends `stop` and never closes: the session closes it closeTimeoutMs on, and ends", async () => {
  const clock = new FakeClock();
  const { promise: started, resolve: begin } = Promise.withResolvers<WebSocketTransport>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    begin(
      new WebSocketTransport(socket, {
        serializer: new TwilioSerializer(),
        clock,
        closeTimeoutMs: CLOSE_TIMEOUT_MS,
      }),
    );
    return response;
  });
  // A raw connection, so that the far end can stay silent: it never answers a close either.
  const conn = await sendRawUpgrade(server.addr.port);
  const reader = new RawFrameReader(conn);
  try {
    assert.equal(await reader.statusLine(), "HTTP/1.1 101 Switching Protocols");
    const transport = await within(started, 3000, "the session");
    const errors = errorCodes(transport);
    const frames: Frame[] = [];
    const { promise: endRead, resolve: endCame } = Promise.withResolvers<void>();
    const reading = (async () => {
      for await (const frame of transport.readable) {
        frames.push(frame);
        if (frame.type === "end") endCame();
      }
    })();
    let settled = false;
    void transport.closed.then(() => (settled = true));
    for (const message of [connected, start(1), media(2, 1), stop(3)]) {
      await conn.write(clientText(message));
    }
    await within(endRead, 3000, "the `end` frame the stop became");
    // The far end has closeTimeoutMs to close, as Twilio does at once.
    await clock.tick(CLOSE_TIMEOUT_MS - 1);
    assert.equal(settled, false, "ended before its bound");
    assert.equal(transport.connected, true);
    await clock.tick(1);
    // Was: no close within 3000 ms (the session waited on the far end for ever).
    let frame = await within(reader.frame(), 3000, "our close");
    while (frame !== null && frame.opcode !== 0x8) frame = await reader.frame();
    assert.deepEqual(closeBody(frame), [1000, UNCLOSED]);
    // Never answered: that close's own bound drops the connection.
    await clock.tick(CLOSE_TIMEOUT_MS);
    assert.deepEqual(await within(transport.closed, 3000, "the session's end"), {
      code: 1000,
      reason: UNCLOSED,
      initiator: "local",
    });
    assert.equal(await within(reader.ended(), 3000, "the drop"), true, "connection still open");
    await within(reading, 3000, "the readable's end");
    assert.deepEqual(
      frames.map((f) => f.type).filter((type, i, all) => type !== all[i - 1]),
      ["message", "start", "audio", "end"],
    );
    assert.equal(clock.pendingTimers, 0, "timers outlived the session");
    // The far end's silence, then its unanswered close: each bound said so.
    assert.deepEqual(errors, ["timeout", "timeout"]);
  } finally {
    try {
      conn.close();
    } catch {
      // Dropped by the server already.
    }
    await server.shutdown();
  }
});

/** A Twilio session on a memory socket whose far end answers no close, on a fake clock. */
function session() {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  client.answersClose = false;
  const transport = new WebSocketTransport(server, {
    serializer: new TwilioSerializer(),
    clock,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
  });
  const errors = errorCodes(transport);
  const frames: Frame[] = [];
  transport.receive((frame) => frames.push(frame));
  const send = (message: unknown) => client.send(JSON.stringify(message));
  /** Whether our close frame has gone out (the server end is CLOSING or CLOSED). */
  const closing = () => server.readyState >= 2;
  return { clock, client, server, transport, errors, frames, send, closing };
}

Deno.test("media after `stop` does not put the bound off: dropped, counted, the session closes on time", async () => {
  const { clock, server, transport, errors, frames, send, closing } = session();
  send(connected);
  send(start(1));
  send(stop(2));
  await server.waitFor(() => frames.some((f) => f.type === "end"));
  // A far end that streams on after its stop, every 20 ms: its media is not the stream's.
  for (let at = 0, chunk = 1; at < CLOSE_TIMEOUT_MS - 20; at += 20, chunk++) {
    send(media(2 + chunk, chunk));
    await server.waitFor(() => transport.stats.inboundAfterEnd === chunk);
    await clock.tick(20);
    assert.equal(closing(), false, `closed at ${at + 20} ms`);
  }
  await clock.tick(20);
  assert.equal(closing(), true, "not closed closeTimeoutMs after the stop");
  await clock.tick(CLOSE_TIMEOUT_MS);
  assert.deepEqual(await transport.closed, {
    code: 1000,
    reason: UNCLOSED,
    initiator: "local",
  });
  assert.equal(frames.filter((f) => f.type === "audio").length, 0, "media after stop read");
  // One "protocol" error for the media after the stop, one per bound.
  assert.deepEqual(errors, ["protocol", "timeout", "timeout"]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("a second `stop` does not put the bound off", async () => {
  const { clock, server, transport, frames, send, closing } = session();
  send(start(1));
  send(stop(2));
  await server.waitFor(() => frames.some((f) => f.type === "end"));
  await clock.tick(CLOSE_TIMEOUT_MS - 100);
  send(stop(3));
  await server.waitFor(() => frames.filter((f) => f.type === "end").length === 2);
  await clock.tick(99);
  assert.equal(closing(), false);
  await clock.tick(1);
  assert.equal(closing(), true, "the second stop moved the bound");
  await clock.tick(CLOSE_TIMEOUT_MS);
  assert.equal((await transport.closed).code, 1000);
});

Deno.test("a new `start` after `stop` opens a new stream: the bound is off, and a later stop arms it", async () => {
  const { clock, server, transport, frames, send, closing } = session();
  send(start(1));
  send(stop(2));
  send(start(3));
  await server.waitFor(() => frames.filter((f) => f.type === "start").length === 2);
  await clock.tick(CLOSE_TIMEOUT_MS * 3);
  assert.equal(closing(), false, "a stream that began again was closed");
  assert.equal(transport.connected, true);
  send(media(4, 1));
  send(stop(5));
  await server.waitFor(() => frames.filter((f) => f.type === "end").length === 2);
  await clock.tick(CLOSE_TIMEOUT_MS);
  assert.equal(closing(), true);
  await clock.tick(CLOSE_TIMEOUT_MS);
  assert.equal((await transport.closed).code, 1000);
  // The new stream's media came through (in two frames: the resampler's tail at its stop).
  assert.deepEqual(
    frames.map((f) => f.type).filter((type, i, all) => type !== all[i - 1]),
    ["start", "end", "start", "audio", "end"],
  );
});

Deno.test("the far end closing after its `stop`, as Twilio does, ends the session as before: its close, no error", async () => {
  const { clock, client, server, transport, errors, frames, send } = session();
  send(start(1));
  send(stop(2));
  await server.waitFor(() => frames.some((f) => f.type === "end"));
  await clock.tick(CLOSE_TIMEOUT_MS - 1);
  client.close(1000);
  assert.deepEqual(await transport.closed, { code: 1000, reason: "", initiator: "remote" });
  await clock.tick(CLOSE_TIMEOUT_MS);
  assert.deepEqual(errors, []);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("a bot that answers `stop` with its own goodbye is not cut short: its reply is sent, then its `end` closes", async () => {
  const { clock, server, transport, errors, frames, send, closing } = session();
  send(start(1));
  send(stop(2));
  await server.waitFor(() => frames.some((f) => f.type === "end"));
  // A second of reply, then the `end`: the goodbye waits for what came before it to play.
  const second = new Uint8Array(16000);
  transport.send({ type: "audio", audio: second, sampleRate: 8000, channels: 1 });
  void transport.send({ type: "end", reason: "goodbye" });
  await clock.tick(CLOSE_TIMEOUT_MS);
  assert.equal(closing(), false, "the bound cut the bot's goodbye short");
  assert.equal(transport.stats.audioBytesDroppedOnClose, 0);
  // The reply is paced out; Twilio acknowledges no mark after its stop: the goodbye waits out
  // playoutTimeoutMs (2000) past the reply's estimated end, then closes.
  for (let i = 0; i < 400 && !closing(); i++) await clock.tick(10);
  assert.equal(closing(), true, "the goodbye never closed");
  const mediaSent = server.sent.filter((m) => typeof m === "string" && m.includes('"media"'));
  assert.equal(mediaSent.length, 25, "the reply's 40 ms chunks (the default chunkMs)");
  assert.equal(transport.stats.audioBytesDroppedOnClose, 0);
  await clock.tick(CLOSE_TIMEOUT_MS);
  const closed = await transport.closed;
  assert.deepEqual([closed.code, closed.reason, closed.initiator], [1000, "goodbye", "local"]);
  assert.ok(!errors.includes("protocol"), errors.join());
});

Deno.test("a bot that writes on after `stop` without ending: the bound closes, its queued audio counted dropped", async () => {
  const { clock, server, transport, frames, send, closing } = session();
  send(start(1));
  send(stop(2));
  await server.waitFor(() => frames.some((f) => f.type === "end"));
  transport.send({ type: "audio", audio: new Uint8Array(16000), sampleRate: 8000, channels: 1 });
  await clock.tick(CLOSE_TIMEOUT_MS);
  assert.equal(closing(), true);
  await clock.tick(CLOSE_TIMEOUT_MS);
  assert.equal((await transport.closed).reason, UNCLOSED);
  // A second was written; what had left by the close was sent, the rest is counted dropped.
  const { audioBytesSent, audioBytesDroppedOnClose } = transport.stats;
  assert.ok(audioBytesDroppedOnClose > 0, "the audio still queued was not counted");
  assert.equal(audioBytesSent + audioBytesDroppedOnClose, 16000);
});
