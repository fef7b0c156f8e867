// Run with --v8-flags=--expose-gc (mixer_session_test.ts): ends sessions that shared one mixer
// and prints how many of their transports are still reachable once garbage is collected. Two
// mixers: one of the old interface, which keeps every wake it is given (it cannot tell which to
// drop), and one that keeps each session in a `MixerSession` until that session's detach.
import { type MixerSession, type OutboundMixer, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const SESSIONS = 5;

const kept: (() => void)[] = [];
const keepsEveryWake: OutboundMixer = {
  attach(_format, wake) {
    kept.push(wake);
  },
  mix: (chunk) => chunk,
  fill: () => undefined,
  detach() {},
};

const live = new Set<MixerSession>();
const keepsLiveSessions: OutboundMixer = {
  attach(_format, wake) {
    const session: MixerSession = {
      mix: (chunk) => chunk,
      fill: () => void wake, // its state: the wake, until detached
      detach: () => void live.delete(session),
    };
    live.add(session);
    return session;
  },
  mix: (chunk) => chunk,
  fill: () => undefined,
  detach() {},
};

const clock = new FakeClock();

async function session(background: OutboundMixer): Promise<WeakRef<WebSocketTransport>> {
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, { background, clock });
  await clock.tick(100);
  pair.client.close(1000);
  await transport.closed;
  return new WeakRef(transport);
}

async function reachable(background: OutboundMixer): Promise<number> {
  const ended: WeakRef<WebSocketTransport>[] = [];
  for (let i = 0; i < SESSIONS; i++) ended.push(await session(background));
  await clock.tick(1000);
  const gc = (globalThis as { gc?: () => void }).gc!;
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
  }
  return ended.filter((ref) => ref.deref() !== undefined).length;
}

console.log(JSON.stringify({
  sessions: SESSIONS,
  keepsEveryWake: await reachable(keepsEveryWake),
  keepsLiveSessions: await reachable(keepsLiveSessions),
}));
