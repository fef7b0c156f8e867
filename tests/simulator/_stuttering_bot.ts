/**
 * A raw-PCM bot (the simulator's `raw` protocol: binary messages are PCM16 mono at 16 kHz,
 * src/simulator/far_ends/raw_pcm.ts) on 127.0.0.1 port 0 that, as the call opens, sends
 * `firstMs` of tone, then `pauseMs` later on its own timer 200 ms more: for the command line's
 * tests (a subprocess, real time) of the far end's playout figures. With `firstMs` 200 the
 * caller hears one gap of `pauseMs - 200` ms inside the reply; with `firstMs` above `pauseMs`
 * the second tone arrives with the rest of the first still queued ahead of it.
 *
 * @module
 */

/** The raw protocol's rate. */
export const RATE = 16000;

/** `ms` of a 440 Hz tone, PCM16 little-endian mono at 16 kHz. */
export function tone(ms: number): Uint8Array {
  const samples = new Int16Array((RATE * ms) / 1000);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / RATE));
  }
  return new Uint8Array(samples.buffer);
}

/** A running stuttering bot. */
export interface StutteringBot {
  /** Its URL (ws://127.0.0.1:PORT/). */
  url: string;
  /** Cancels its timers and stops it once its connections have ended. */
  close(): Promise<void>;
}

/** Serves the bot: `firstMs` of tone at open, 200 ms more `pauseMs` later. */
export function serveStutteringBot(pauseMs: number, firstMs = 200): StutteringBot {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => {
      socket.send(tone(firstMs));
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (socket.readyState === WebSocket.OPEN) socket.send(tone(200));
      }, pauseMs);
      timers.add(timer);
    };
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/`,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await server.shutdown();
    },
  };
}
