/**
 * The objects of some kinds each push session holds (`receive` / `send`, raw PCM, the load
 * harness's settings), idle and after an echoed reply: two heap snapshots (V8 collects before
 * each), one before the sessions are made and one with them, their objects counted by constructor
 * and the difference divided by the sessions. Prints, as JSON, `{ idle, active }`, each a count a
 * session for every name in `NAMES`, and `timers`: the clock's timers it made. Run by
 * push_session_lazy_parts_test.ts.
 *
 * @module
 */

import { WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { heapCensus } from "./_collect_garbage.ts";

/**
 * The kinds counted: the containers a feature keeps, and the parts of one, which a session that
 * never used it need not hold (an asynchronous serializer's watchdog, a wait for a socket that
 * fell behind, the reports of frames the protocol has no message for, the errors no listener
 * heard).
 */
const NAMES = [
  "Float64Array",
  "WeakMap",
  "WeakSet",
  "Set",
  "SerializingWatchdog",
  "DrainWait",
  "NoMessageReports",
  "UnheardErrors",
];
const SESSIONS = 40;

/** Timers the sessions made (`Clock.timer`), each one a callback and its state held. */
let timersMade = 0;

interface Session {
  clock: FakeClock;
  pair: MemorySocketPair;
  transport: WebSocketTransport;
}

function session(): Session {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    audioIn: { sampleRate: 16000, channels: 1 },
    audioOut: { sampleRate: 16000, channels: 1, chunkMs: 20 },
    fixedAudioPacketSize: 640,
    sendAheadMs: 60,
    clock: {
      now: () => clock.now(),
      sleep: (ms, signal) => clock.sleep(ms, signal),
      timer: (callback, options) => (timersMade++, clock.timer(callback, options)),
    },
  });
  transport.receive((frame) => {
    if (frame.type === "audio") void transport.send(frame);
  });
  return { clock, pair, transport };
}

/** 20 ms frames from the caller, each echoed, one a tick: a second of the caller's audio. */
async function echoASecond({ clock, pair }: Session): Promise<void> {
  for (let i = 0; i < 50; i++) {
    pair.client.send(new Uint8Array(640).fill(1));
    await clock.tick(20);
  }
  // The memory socket's record of what it sent (a real socket keeps none): not the transport's.
  pair.server.sent.length = 0;
  pair.client.sent.length = 0;
}

/** Counts a session of the kinds in `NAMES`, `prepare`d sessions kept. */
async function perSession(prepare: (s: Session) => Promise<void>): Promise<Record<string, number>> {
  // One session first, so that what the first of its kind makes once (a module's) is not counted.
  const warm = session();
  await prepare(warm);
  await warm.transport.close();
  const without = heapCensus().objects;
  timersMade = 0;
  const kept: Session[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const s = session();
    await prepare(s);
    kept.push(s);
  }
  const withSessions = heapCensus().objects;
  const timers = timersMade / SESSIONS;
  for (const s of kept) await s.transport.close();
  const count = (census: Map<string, number>, name: string) => census.get(name) ?? 0;
  return {
    ...Object.fromEntries(
      NAMES.map((name) => [name, (count(withSessions, name) - count(without, name)) / SESSIONS]),
    ),
    timers,
  };
}

const idle = await perSession(async () => {});
const active = await perSession(echoASecond);
console.log(JSON.stringify({ idle, active }));
