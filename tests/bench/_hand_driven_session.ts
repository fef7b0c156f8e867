/**
 * One echo session driven by hand, for the per-frame benches (`allocations.ts`, `frame_cost.ts`):
 * 20 ms of 16 kHz mono in, the same out in 20 ms chunks and 640-byte packets, the load harness's
 * settings, with no network and no runtime timer. The socket is a plain object that dispatches one
 * reused `MessageEvent` and counts what is sent; the clock is advanced by hand, its timers kept in
 * a set. What such a session costs is the transport's alone (and the harness's: `bare`).
 *
 * @module
 */

import {
  CallRecorder,
  type Clock,
  type ClockTimer,
  type FrameSerializer,
  RawPcmSerializer,
  type TransportOptions,
  type WebSocketLike,
  WebSocketTransport,
} from "@x/ws-transport";
import { AckingSerializer, respondingEcho } from "./_responses_bot.ts";

/** A clock moved by hand: `advance` fires the timers that fell due, in deadline order. */
export class ManualClock implements Clock {
  time = 0;
  readonly #timers = new Set<ManualTimer>();
  now = (): number => this.time;
  sleep(): Promise<void> {
    throw new Error("the transport's hot path does not sleep");
  }
  timer(callback: () => void): ClockTimer {
    return new ManualTimer(callback, this, this.#timers);
  }
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.#timers) if (!next || timer.due < next.due) next = timer;
      if (!next || next.due > until) break;
      this.time = Math.max(this.time, next.due);
      this.#timers.delete(next);
      next.callback();
    }
    this.time = until;
  }
}

class ManualTimer implements ClockTimer {
  due = 0;
  constructor(
    readonly callback: () => void,
    readonly clock: ManualClock,
    readonly set: Set<ManualTimer>,
  ) {}
  get armed(): boolean {
    return this.set.has(this);
  }
  /** Reads the clock when not given `now`, as the real clock's timers do (the reads are counted). */
  arm(ms: number, now: number = this.clock.now()): void {
    this.due = now + Math.max(0, ms);
    this.set.add(this);
  }
  cancel(): void {
    this.set.delete(this);
  }
}

/**
 * An open socket that hands the transport the same message over and over. A `mark:NAME` text it
 * is sent comes back `ackAfter` deliveries later, as a far end acknowledges a mark once the audio
 * before it has played (the `responses` session's protocol, {@linkcode AckingSerializer}).
 */
export class LoopSocket extends EventTarget implements WebSocketLike {
  readyState = 1;
  binaryType = "arraybuffer";
  bufferedAmount = 0;
  sent = 0;
  /** The `mark:NAME` texts among what was sent. */
  marks = 0;
  readonly #message = new MessageEvent("message", { data: new ArrayBuffer(640) });
  readonly #acks: { due: number; event: MessageEvent }[] = [];
  #delivered = 0;
  constructor(readonly ackAfter = 3) {
    super();
  }
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    this.sent++;
    if (typeof data === "string" && data.startsWith("mark:")) {
      this.marks++;
      const event = new MessageEvent("message", { data });
      this.#acks.push({ due: this.#delivered + this.ackAfter, event });
    }
  }
  close(): void {
    this.readyState = 3;
  }
  deliver(): void {
    this.#delivered++;
    while (this.#acks.length > 0 && this.#acks[0]!.due <= this.#delivered) {
      this.dispatchEvent(this.#acks.shift()!.event);
    }
    this.dispatchEvent(this.#message);
  }
}

/** A session driven by hand, and how to end it. */
export interface Session {
  socket: LoopSocket;
  clock: ManualClock;
  stop(): Promise<void>;
}

const SETTINGS = {
  audioIn: { sampleRate: 16000, channels: 1 },
  audioOut: { sampleRate: 16000, channels: 1, chunkMs: 20 },
  fixedAudioPacketSize: 640,
  sendAheadMs: 60,
} as const;

/**
 * A transport on a loop socket with the settings above (and `options` over them), and `bot`
 * driving it; the socket acknowledges marks `ackAfter` deliveries later.
 */
export function transportSession(
  bot: (transport: WebSocketTransport, clock: ManualClock) => void,
  serializer: FrameSerializer = new RawPcmSerializer(),
  { ackAfter, options }: { ackAfter?: number; options?: TransportOptions } = {},
): Session {
  const socket = new LoopSocket(ackAfter);
  const clock = new ManualClock();
  const transport = new WebSocketTransport(socket, {
    ...SETTINGS,
    ...options,
    serializer,
    clock,
  });
  bot(transport, clock);
  return { socket, clock, stop: () => transport.close().then(() => {}) };
}

/** The echo bot on the push surface. */
function echo(transport: WebSocketTransport): void {
  transport.receive((frame) => {
    if (frame.type === "audio") transport.send(frame);
  });
}

/**
 * The sessions to compare: `bare` (a listener echoing the message: the harness's own cost),
 * `push` (the transport on `receive` / `send`), `responses` (`push` with playback tracking in
 * full: response ids, the transport's marks acknowledged three frames after they leave, speaking
 * events listened to, as the load benchmark's `responses` target), `responses-unacked` (the same
 * bot over raw PCM: no marks, playback by the estimate alone), `recording` (`push` with the
 * call recorded as heard, stereo 16 kHz, to a sink that discards it) and `streams`
 * (`readable.pipeTo(writable)`).
 */
export const SESSIONS: Record<string, () => Session> = {
  bare() {
    const socket = new LoopSocket();
    const clock = new ManualClock();
    socket.addEventListener("message", (event) => socket.send((event as MessageEvent).data));
    return { socket, clock, stop: async () => {} };
  },
  push: () => transportSession(echo),
  responses: () =>
    transportSession((transport) => respondingEcho(transport, 2000), new AckingSerializer()),
  "responses-unacked": () => transportSession((transport) => respondingEcho(transport, 2000)),
  recording: () =>
    transportSession((transport, clock) => {
      const recorder = new CallRecorder({ clock, sampleRate: 16000 });
      transport.observe(recorder);
      recorder.readable.pipeTo(new WritableStream()).catch(() => {});
      echo(transport);
    }),
  streams: () =>
    transportSession((transport) => {
      transport.readable.pipeTo(transport.writable).catch(() => {});
    }),
};

/** One frame in, the microtasks it started settled, and the clock `ms` on (a frame's 20 ms). */
export async function step(session: Session, ms = 20): Promise<void> {
  session.socket.deliver();
  // The streams hand frames on in microtasks: let them run before the clock moves.
  for (let i = 0; i < 8; i++) await null;
  session.clock.advance(ms);
}
