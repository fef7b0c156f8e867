// `JsonSerializer` carries every frame as itself, so its peer's `end` is an inbound `end` too (the
// frame's own doc: "Inbound: the remote side stopped"), and the transport gives that peer
// `closeTimeoutMs` to close (tests/stop_unclosed_far_end_test.ts). The peer this format is made
// for is another transport: its `end` hangs up once its queued audio has played, which is the
// `end` message and then its own close, so the bound never fires on it. A peer that sends `end`
// and keeps the socket is closed from this side, as a telephony far end is after its `stop`.
import assert from "node:assert/strict";
import { type Frame, JsonSerializer, type TransportError, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

const CLOSE_TIMEOUT_MS = 300;

/** Each error as [code, fatal], as "error" events carried them. */
function errorsOf(transport: WebSocketTransport): [string, boolean][] {
  const errors: [string, boolean][] = [];
  transport.addEventListener("error", (event) => {
    const error = (event as ErrorEvent).error as TransportError;
    errors.push([error.code, error.fatal]);
  });
  return errors;
}

Deno.test("a JsonSerializer peer that is a transport: its end (after its audio) then its close end the session as before, no timeout", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const options = { clock, closeTimeoutMs: CLOSE_TIMEOUT_MS, audioOut: { chunkMs: 20 } };
  const bot = new WebSocketTransport(server, { ...options, serializer: new JsonSerializer() });
  const peer = new WebSocketTransport(client, { ...options, serializer: new JsonSerializer() });
  const botErrors = errorsOf(bot);
  const frames: Frame[] = [];
  bot.receive((frame) => frames.push(frame));
  peer.receive(() => {});
  await clock.tick(0);
  // A second of the peer's speech, then its goodbye: the `end` leaves once the audio has played.
  peer.send({ type: "audio", audio: new Uint8Array(32000), sampleRate: 16000, channels: 1 });
  void peer.send({ type: "end", reason: "bye" });
  for (let i = 0; i < 400 && !frames.some((f) => f.type === "end"); i++) await clock.tick(10);
  assert.ok(frames.some((f) => f.type === "end"), "the peer's end never came");
  const [closed] = await Promise.all([bot.closed, clock.tick(CLOSE_TIMEOUT_MS * 2)]);
  assert.deepEqual([closed.code, closed.reason, closed.initiator], [1000, "bye", "remote"]);
  assert.deepEqual(botErrors, []);
  const heard = frames.reduce((n, f) => n + (f.type === "audio" ? f.audio.length : 0), 0);
  assert.equal(heard, 32000, "the peer's speech was not all read");
});

Deno.test("a JsonSerializer peer that sends end and keeps the socket: closed from this side at closeTimeoutMs", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  client.answersClose = false;
  const bot = new WebSocketTransport(server, {
    clock,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    serializer: new JsonSerializer(),
  });
  const errors = errorsOf(bot);
  const frames: Frame[] = [];
  bot.receive((frame) => frames.push(frame));
  client.send(JSON.stringify({ type: "end" }));
  await server.waitFor(() => frames.some((f) => f.type === "end"));
  await clock.tick(CLOSE_TIMEOUT_MS - 1);
  assert.equal(server.readyState, 1, "closed before its bound");
  await clock.tick(1);
  assert.equal(server.readyState, 2, "not closed at its bound");
  await clock.tick(CLOSE_TIMEOUT_MS);
  const closed = await bot.closed;
  assert.deepEqual([closed.code, closed.initiator], [1000, "local"]);
  assert.deepEqual(errors, [["timeout", true], ["timeout", false]]);
  assert.equal(clock.pendingTimers, 0);
});
