/**
 * Sessions on Asterisk (chan_websocket, tests/serializers/fixtures/pausing_asterisk.ts) that end
 * in every way a session can, each while the bot's `PAUSE_MEDIA` holds its reply (the far end told
 * the observers `playoutHeld`), each observed by a `SessionMetrics` and a `CallRecorder`, mixed
 * with its own `BackgroundAudio`, watched by a session and an inactivity timeout, and given an
 * abort signal; half of them with Asterisk's `MEDIA_XOFF` come during the pause too (the
 * transport's pause of sending then waits, bounded, on the bot's `CONTINUE_MEDIA`). What the
 * application still holds afterwards, as an application does: the metrics (their final figures),
 * the recorder (its `wavHeader()`), the background (to play it in a later session's stead: see
 * `BackgroundAudio.detach`) and the abort controller (a server's, shared by its sessions, or the
 * session's own). The transport is dropped.
 *
 * Prints, as JSON, for each way: `timersLeft`, the transport clock's timers still pending once
 * `transport.closed` has resolved (summed over the sessions; the far end runs on a clock of its
 * own, so its 20 ms tick is not counted); `sessionsKept`, the transports the garbage collector
 * could not take; `repliesKept`, the bot's reply buffers it could not take. Run by
 * leaks_ended_sessions_test.ts with `--v8-flags=--expose-gc`.
 *
 * @module
 */

import { BackgroundAudio, CallRecorder, SessionMetrics, WebSocketTransport } from "../mod.ts";
import { AsteriskSerializer } from "../src/serializers/asterisk.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FRAME_BYTES, pausingAsterisk } from "./serializers/fixtures/pausing_asterisk.ts";
import { collectGarbage } from "./_collect_garbage.ts";

/** What the application keeps of a session once it has ended. */
interface Kept {
  metrics: SessionMetrics;
  recorder: CallRecorder;
  background: BackgroundAudio;
  controller: AbortController;
}

/** A session under way: the bot's side, and a step of 20 ms of both clocks with the caller talking. */
interface Session {
  transport: WebSocketTransport;
  pair: MemorySocketPair;
  controller: AbortController;
  talk(ms: number): Promise<void>;
}

/** How a session ends, while the bot's pause holds its reply. */
interface Way {
  name: string;
  /** One abort controller for every session, never aborted (a server's shutdown signal). */
  sharedSignal?: true;
  /** Asterisk's `MEDIA_XOFF` comes during the pause: the transport's pause of sending, bounded. */
  xoff?: true;
  end(session: Session): void;
}

const ENDINGS: Way[] = [
  { name: "far end closes", end: (s) => s.pair.client.close(1000) },
  { name: "bot closes", end: (s) => void s.transport.close(1000, "bye") },
  {
    name: "bot's handler throws",
    end: (s) => s.pair.client.send(new Uint8Array(FRAME_BYTES).fill(0x7f)),
  },
  { name: "signal aborts", end: (s) => s.controller.abort(new Error("shutting down")) },
  {
    name: "far end closes, shared signal",
    sharedSignal: true,
    end: (s) => s.pair.client.close(1000),
  },
  { name: "bot closes, shared signal", sharedSignal: true, end: (s) => void s.transport.close() },
];
const WAYS: Way[] = [
  ...ENDINGS,
  ...ENDINGS.map((way): Way => ({ ...way, name: `${way.name}, under XOFF`, xoff: true })),
];

/** Sessions whose observers were told the far end held its playout (`playoutHeld`), by way. */
let heldTold = 0;

/** 16 kHz PCM16: 32 bytes a millisecond. */
const REPLY_MS = 4000;
const SESSIONS = 10;

/** A 440 Hz tone, one second at 16 kHz: the background's looped track. */
const hum = Int16Array.from(
  { length: 16000 },
  (_, i) => 3000 * Math.sin((2 * Math.PI * 440 * i) / 16000),
);

/** One session that ends `way`, mid-pause; returns what the application keeps, and weak holds. */
async function endedSession(way: Way, shared: AbortController) {
  const clock = new FakeClock();
  const farClock = new FakeClock();
  const pair = new MemorySocketPair();
  const controller = way.sharedSignal ? shared : new AbortController();
  const serializer = new AsteriskSerializer();
  const background = new BackgroundAudio(hum, { sampleRate: 16000, ducking: true });
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    background,
    sessionTimeoutMs: 600_000,
    inactivityTimeoutMs: 60_000,
    signal: controller.signal,
    clock,
  });
  transport.addEventListener("error", () => {}); // the throwing handler's, expected
  const metrics = SessionMetrics.attach(transport);
  metrics.addEventListener("summary", () => {});
  const recorder = new CallRecorder({ sampleRate: 16000 });
  transport.observe(recorder);
  transport.observe({ playoutHeld: (info) => void (info.held && heldTold++) });
  void new Response(recorder.readable).arrayBuffer();
  // The far end on a clock of its own: its ticks are not the session's timers.
  pausingAsterisk(farClock, pair);
  transport.receive((frame) => {
    if (frame.type === "audio" && frame.audio[0] === 0x7f) throw new Error("the bot failed");
  });
  const session: Session = {
    transport,
    pair,
    controller,
    async talk(ms) {
      for (let t = 0; t < ms; t += 20) {
        await farClock.tick(20);
        await clock.tick(20);
        if (pair.client.readyState === 1) pair.client.send(new Uint8Array(FRAME_BYTES).fill(5));
      }
    },
  };
  await session.talk(400);
  const reply = new Uint8Array(REPLY_MS * 32).fill(0x11);
  void transport.send({
    type: "audio",
    audio: reply,
    sampleRate: 16000,
    channels: 1,
    responseId: "r1",
  });
  await session.talk(1000);
  void transport.send({ type: "message", message: { command: "PAUSE_MEDIA" }, urgent: true });
  await session.talk(500);
  if (way.xoff) {
    // docs.asterisk.org, Channel Drivers → WebSocket, "Control Commands and Events": the channel
    // says MEDIA_XOFF when its queue is nearly full; no XON comes while the bot's pause holds it.
    pair.client.send(JSON.stringify({ event: "MEDIA_XOFF", channel_id: "1.1" }));
    await session.talk(100);
  }
  way.end(session);
  // The session's own bounds only: the far end answers a close on its clock, moved with this one.
  for (let i = 0; i < 100 && !(await settled(transport.closed)); i++) {
    await farClock.tick(20);
    await clock.tick(20);
  }
  const { code, initiator } = await transport.closed;
  const timersLeft = clock.pendingTimers;
  await farClock.tick(100); // the far end's last tick, which sees the call over
  // The memory socket's record of what it sent (a real socket keeps none): not the transport's.
  pair.server.sent.length = 0;
  pair.client.sent.length = 0;
  const kept: Kept = { metrics, recorder, background, controller };
  return {
    kept,
    timersLeft,
    session: new WeakRef(transport),
    reply: new WeakRef(reply.buffer),
    ended: metrics.ended && recorder.stopped,
    closing: `${code} ${initiator}`,
    sendPaused: transport.stats.sendPauses > 0,
  };
}

/** Whether `promise` has settled, after the callbacks queued so far. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 10; i++) await undefined;
  return done;
}

/** What one way of ending showed over its sessions (read by leaks_ended_sessions_test.ts). */
export interface WayReport {
  way: string;
  timersLeft: number;
  heldTold: number;
  sessionsKept: number;
  repliesKept: number;
  ended: number;
  closings: string[];
  sendPaused: number;
}

const report: WayReport[] = [];
for (const way of WAYS) {
  const shared = new AbortController();
  const kept: Kept[] = [];
  const sessions: WeakRef<object>[] = [];
  const replies: WeakRef<object>[] = [];
  let timersLeft = 0, ended = 0, sendPaused = 0;
  const closings = new Set<string>();
  heldTold = 0;
  for (let i = 0; i < SESSIONS; i++) {
    const one = await endedSession(way, shared);
    kept.push(one.kept);
    sessions.push(one.session);
    replies.push(one.reply);
    timersLeft += one.timersLeft;
    if (one.ended) ended++;
    if (one.sendPaused) sendPaused++;
    closings.add(one.closing);
  }
  await collectGarbage();
  report.push({
    way: way.name,
    timersLeft,
    heldTold,
    sessionsKept: sessions.filter((s) => s.deref() !== undefined).length,
    repliesKept: replies.filter((r) => r.deref() !== undefined).length,
    ended,
    closings: [...closings],
    sendPaused,
  });
  // Read after the collection: what was kept stayed reachable all along.
  if (kept.length !== SESSIONS) throw new Error("kept");
}
console.log(JSON.stringify(report));
