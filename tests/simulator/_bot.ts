// A test bot on this package's own transport and serializers, behind Deno.serve on 127.0.0.1:0.
// It answers each caller utterance `answerDelayMs` after the caller's last loud frame arrived, with
// `answerMs` of a 440 Hz tone and then a mark, and does what it is told on a barge-in. Its timing
// runs on the clock it is given, so with the simulator on the same FakeClock the truths are exact.
import { upgrade } from "../../src/adapters/deno.ts";
import type { Clock } from "../../src/clock.ts";
import type { Frame } from "../../src/frames.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { rtviBotReady } from "../../src/serializers/rtvi.ts";
import type { WebSocketTransport } from "../../src/transport.ts";
import type { TransportOptions } from "../../src/transport_options.ts";
import {
  type CallReport,
  simulateCall,
  type SimulateCallOptions,
} from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { Lockstep } from "../_lockstep.ts";

/** What the bot does when the caller speaks while it is answering. */
export type OnBargeIn = "interrupt" | "ignore" | "stale";

export interface BotOptions {
  clock: Clock;
  serializer: () => FrameSerializer;
  transport?: TransportOptions;
  /** The bot's audio rate. */
  sampleRate?: number;
  answerDelayMs?: number;
  answerMs?: number;
  onBargeIn?: OnBargeIn;
  /** Called with each session's transport (the lockstep registers it). */
  onSession?: (transport: WebSocketTransport) => void;
  /** Close the socket this long after the first answer ends (the bot hangs up). */
  hangUpAfterFirstAnswerMs?: number;
}

/** What one session saw, with the bot clock's times. */
export interface BotSession {
  starts: Frame[];
  marks: { name: string; atMs: number }[];
  dtmf: { digit: string; atMs: number }[];
  messages: unknown[];
  answers: { atMs: number }[];
  interrupts: number[];
  ended: { reason?: string; atMs: number } | null;
}

const LOUD = (32768 * 10 ** (-30 / 20)) ** 2;

function loud(frame: Frame): boolean {
  if (frame.type !== "audio") return false;
  const samples = new Int16Array(frame.audio.slice().buffer);
  let energy = 0;
  for (const s of samples) energy += s * s;
  return samples.length > 0 && energy / samples.length > LOUD;
}

function tone(ms: number, rate: number): Uint8Array {
  const samples = new Int16Array(Math.round((rate * ms) / 1000));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  }
  return new Uint8Array(samples.buffer);
}

/** Serves the bot; `close()` shuts the server down once every session has ended. */
export function serveBot(options: BotOptions) {
  const sessions: BotSession[] = [];
  const done: Promise<unknown>[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const rate = options.sampleRate ?? 16000;
    const { transport, response } = await upgrade(request, {
      clock: options.clock,
      serializer: options.serializer(),
      audioIn: { sampleRate: 16000, channels: 1 },
      audioOut: { sampleRate: rate, channels: 1, chunkMs: 20 },
      // The bot's own marks alone, so mark counts and timings are the bot's: the transport's
      // playout marks are proven against these far ends in tests/playback/.
      markIntervalMs: 0,
      ...options.transport,
    });
    if (!transport) return response;
    options.onSession?.(transport);
    const session: BotSession = {
      starts: [],
      marks: [],
      dtmf: [],
      messages: [],
      answers: [],
      interrupts: [],
      ended: null,
    };
    sessions.push(session);
    done.push(runBot(transport, session, options, rate).catch(() => {}), transport.closed);
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/`,
    sessions,
    async close() {
      await Promise.all(done);
      await server.shutdown();
    },
  };
}

/**
 * One `simulateCall` against the bot, the bot and the simulator on one FakeClock over real sockets
 * (see `_lockstep.ts`), so that the report's figures can be checked against exact truths.
 */
export async function callBot(
  bot: Omit<BotOptions, "clock" | "onSession">,
  call: Omit<SimulateCallOptions, "clock" | "connect">,
): Promise<{ report: CallReport; session: BotSession }> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const server = serveBot({ ...bot, clock, onSession: (t) => lockstep.register(t) });
  try {
    const report = await lockstep.run(
      simulateCall(server.url, { ...call, clock, connect: lockstep.connectCaller }),
    );
    return { report, session: server.sessions[0]! };
  } finally {
    await server.close();
  }
}

async function runBot(
  transport: WebSocketTransport,
  session: BotSession,
  options: BotOptions,
  rate: number,
): Promise<void> {
  const { clock } = options;
  const answerDelayMs = options.answerDelayMs ?? 500;
  const answerMs = options.answerMs ?? 1000;
  const writer = transport.writable.getWriter();
  let lastLoudAt: number | null = null;
  let answering: { until: number; barged: boolean } | null = null;
  let answerCount = 0;
  let pending: AbortController | null = null;

  const answer = async (at: number) => {
    const number = ++answerCount;
    session.answers.push({ atMs: at });
    const piece = tone(20, rate);
    const state = { until: at + answerMs, barged: false };
    answering = state;
    for (let sent = 0; sent < answerMs; sent += 20) {
      if (state.barged && options.onBargeIn !== "stale") break;
      await writer.write({ type: "audio", audio: piece, sampleRate: rate, channels: 1 });
    }
    if (!state.barged) await writer.write({ type: "mark", name: `answer-${number}` });
    if (number === 1 && options.hangUpAfterFirstAnswerMs !== undefined) {
      await clock.sleep(answerMs + options.hangUpAfterFirstAnswerMs);
      await transport.close(1000, "bot hung up");
    }
  };

  for await (const frame of transport.readable) {
    const reply = rtviBotReady(frame);
    if (reply) {
      await writer.write(reply);
      continue;
    }
    const now = clock.now();
    if (frame.type === "start") session.starts.push(frame);
    else if (frame.type === "mark") session.marks.push({ name: frame.name, atMs: now });
    else if (frame.type === "dtmf") session.dtmf.push({ digit: frame.digit, atMs: now });
    else if (frame.type === "message") session.messages.push(frame.message);
    else if (frame.type === "end") {
      session.ended = { atMs: now, ...(frame.reason ? { reason: frame.reason } : {}) };
    }
    if (frame.type !== "audio") continue;
    if (loud(frame)) {
      lastLoudAt = now;
      const current = answering as { until: number; barged: boolean } | null;
      if (current && now < current.until && !current.barged && options.onBargeIn !== "ignore") {
        current.barged = true;
        session.interrupts.push(now);
        await transport.interrupt();
      }
      pending?.abort();
      pending = null;
    } else if (lastLoudAt !== null) {
      const at = lastLoudAt + answerDelayMs;
      lastLoudAt = null;
      const timer = new AbortController();
      pending = timer;
      clock.sleep(at - now, timer.signal).then(() => answer(at)).catch(
        () => {/* hung up, or a new utterance began */},
      );
    }
  }
  pending?.abort();
  await writer.close().catch(() => {});
}
