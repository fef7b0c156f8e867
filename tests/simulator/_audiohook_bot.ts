// A hand-written AudioHook server (a Genesys bot) for the Genesys far end's tests, on one
// FakeClock with the simulator over real sockets (see _lockstep.ts), so that when it speaks is
// exact. It answers `open` with `opened` (the first medium offered) and each `ping` with `pong`,
// sends `disconnect` when told, and at Genesys's `close` does what it is told. Its messages are
// AudioHook server messages as Genesys's reference implementation types them
// (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/protocol/message.ts:
// `{version: "2", type, seq, clientseq, id, parameters}`, `seq` counting from 1).
import { type CallReport, simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";
import type { SimulateCallOptions } from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { Lockstep } from "../_lockstep.ts";

/** What a bot's `onClose` may do: answer, send audio, close the socket, on the call's clock. */
export interface AudioHookSide {
  /** Sends a server message of `type` answering the client's message `to`. */
  reply(type: string, parameters?: Record<string, unknown>): void;
  /** Sends `bytes` of PCMU audio (a loud pattern: μ-law 0x00 is near full scale). */
  audio(bytes: number): void;
  /** Closes the socket. */
  closeSocket(): void;
  /** The call's clock. */
  clock: FakeClock;
}

/** How the bot behaves. */
export interface AudioHookBot {
  /** Sends `disconnect` this long after `opened` (never when not given). */
  disconnectAfterMs?: number;
  /** The `disconnect`'s parameters. */
  disconnect?: Record<string, unknown>;
  /** Closes the socket right after its `disconnect`, without waiting for Genesys's `close`. */
  closeAfterDisconnect?: boolean;
  /** How long it takes to answer `open` with `opened` (the first round trip Genesys measures). */
  openedDelayMs?: number;
  /** How long it takes to answer a `ping` (the round trip Genesys measures). */
  pongDelayMs?: number;
  /** What it does with Genesys's `close`. */
  onClose: "closed" | "close-socket" | "ignore" | ((bot: AudioHookSide) => void);
}

/**
 * One Genesys call against the bot: the report, and how long the call took past its end (fake
 * ms). `call` replaces the caller's defaults (a 600 ms utterance, 400 ms of pause, 1 s linger).
 */
export async function callAudioHookBot(
  bot: AudioHookBot,
  call: Omit<SimulateCallOptions, "protocol" | "clock" | "connect"> = {
    audio: syntheticCaller({ utterancesMs: [600], pauseMs: 400 }),
    lingerMs: 1000,
  },
): Promise<{ report: CallReport; lingeredMs: number }> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = lockstep.accept(request);
    let seq = 0;
    /** The client's last message: what the next server message answers. */
    let last = { id: "", seq: 0 };
    const reply = (type: string, parameters: Record<string, unknown> = {}) =>
      socket.send(
        JSON.stringify({
          version: "2",
          type,
          seq: ++seq,
          clientseq: last.seq,
          id: last.id,
          parameters,
        }),
      );
    const side: AudioHookSide = {
      reply,
      audio: (bytes) => socket.send(new Uint8Array(bytes)),
      closeSocket: () => socket.close(1000, "bot hung up"),
      clock,
    };
    socket.addEventListener("message", (event: MessageEvent) => {
      if (typeof event.data !== "string") return;
      const message = JSON.parse(event.data);
      last = message;
      if (message.type === "open") {
        const opened = () => {
          reply("opened", { media: [message.parameters.media[0]] });
          if (bot.disconnectAfterMs === undefined) return;
          clock.sleep(bot.disconnectAfterMs).then(() => {
            reply("disconnect", bot.disconnect ?? { reason: "completed" });
            if (bot.closeAfterDisconnect) side.closeSocket();
          });
        };
        if (bot.openedDelayMs === undefined) opened();
        else clock.sleep(bot.openedDelayMs).then(opened);
      } else if (message.type === "ping") {
        // Answers this ping, whatever the client sent meanwhile.
        const ping = message;
        const pong = () => {
          last = { id: ping.id, seq: ping.seq };
          reply("pong");
        };
        if (bot.pongDelayMs === undefined) pong();
        else clock.sleep(bot.pongDelayMs).then(pong);
      } else if (message.type === "close") {
        if (typeof bot.onClose === "function") bot.onClose(side);
        else if (bot.onClose === "closed") reply("closed");
        else if (bot.onClose === "close-socket") side.closeSocket();
      }
    });
    return response;
  });
  try {
    const startedAt = clock.now();
    let finishedAt = NaN;
    const report = await lockstep.run(
      simulateCall(`ws://127.0.0.1:${server.addr.port}/`, {
        ...call,
        protocol: "genesys",
        clock,
        connect: lockstep.connectCaller,
      }).then((report) => {
        finishedAt = clock.now();
        return report;
      }),
    );
    return { report, lingeredMs: finishedAt - startedAt - report.ended.atMs };
  } finally {
    await server.shutdown();
  }
}
