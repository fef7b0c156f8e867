/**
 * The Node side of `frame_cost.ts`: CPU time per message of the push echo on `NodeSocket` (the
 * Node adapter's `ws` shim), driven by hand: a stand-in `ws` socket hands the transport 640-byte
 * Buffers (20 ms of 16 kHz mono, as `ws` reads them) and counts the echoes; the clock is moved by
 * hand. `bare` is the floor's handler on the same stand-in (each message sent straight back).
 * With `--syscall`, each echo is also written to `/dev/null`: a system call between messages, as
 * in a server, which leaves what the next message touches cold again. Bundled and run by
 * `node_frame_cost.ts`; prints one line a round and session kind.
 *
 * @module
 */

import { openSync, writeSync } from "node:fs";
import { parseArgs } from "node:util";
import { NodeSocket, type WsSocket } from "../../../src/adapters/_node_socket.ts";
import { WebSocketTransport } from "../../../mod.ts";
import { ManualClock } from "../../bench/_hand_driven_session.ts";

declare const process: { argv: string[]; hrtime: { bigint(): bigint } };
declare const Buffer: { allocUnsafe(size: number): Uint8Array };

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    frames: { type: "string", default: "200000" },
    rounds: { type: "string", default: "5" },
    sessions: { type: "string", default: "1" },
    syscall: { type: "boolean", default: false },
  },
});
const FRAMES = Number(values.frames);
const SESSIONS = Number(values.sessions);
const devNull = values.syscall ? openSync("/dev/null", "w") : -1;

/** What the transport and the floor use of a `ws` socket; `message` hands it one. */
class StandInWs {
  readyState = 1;
  bufferedAmount = 0;
  binaryType = "nodebuffer";
  sent = 0;
  message: ((data: Uint8Array, isBinary: boolean) => void) | undefined;
  send(data: Uint8Array): void {
    this.sent++;
    if (devNull >= 0) writeSync(devNull, data);
  }
  close(): void {}
  terminate(): void {}
  ping(): void {}
  pause(): void {}
  on(event: string, listener: (...args: never[]) => void): void {
    if (event === "message") this.message = listener as StandInWs["message"];
  }
}

interface Session {
  ws: StandInWs;
  clock: ManualClock;
}

function session(kind: string): Session {
  const ws = new StandInWs();
  const clock = new ManualClock();
  if (kind === "bare") {
    ws.on("message", ((data: Uint8Array) => ws.send(data)) as never);
    return { ws, clock };
  }
  const socket = new NodeSocket(ws as unknown as WsSocket, {
    idleTimeout: 0,
    closeTimeoutMs: 1000,
  });
  const transport = new WebSocketTransport(socket, {
    audioIn: { sampleRate: 16000 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    sendAheadMs: 60,
    clock,
  });
  transport.receive((frame) => {
    if (frame.type === "audio") transport.send(frame);
  });
  return { ws, clock };
}

// The messages: views into one pool, as `ws` hands out Buffers of what it read.
const pool = Buffer.allocUnsafe(100 * 640);
/** Microseconds a message over `frames` messages, spread round-robin over the sessions. */
function time(sessions: Session[], frames: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < frames; i++) {
    const k = i % sessions.length;
    const offset = (i % 100) * 640;
    sessions[k]!.ws.message!(pool.subarray(offset, offset + 640), true);
    // Every session has had its message: 20 ms pass for all of them.
    if (k === sessions.length - 1) { for (const s of sessions) s.clock.advance(20); }
  }
  return Number(process.hrtime.bigint() - start) / 1000 / frames;
}

const kinds = ["bare", "push"];
const all = new Map(
  kinds.map((kind) => [kind, Array.from({ length: SESSIONS }, () => session(kind))]),
);
await null; // the transports open (a microtask) before the first message
for (const sessions of all.values()) time(sessions, Math.max(5000, 20 * SESSIONS)); // warm up
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [kind, sessions] of all) {
    console.log(`round ${round}: ${kind} ${time(sessions, FRAMES).toFixed(3)} µs a message`);
  }
}
