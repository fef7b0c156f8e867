/**
 * Calls made with `simulateCall`, each against a bot on this package's serializer for the platform
 * (tests/simulator/_bot.ts) on one FakeClock over real sockets, every one given the same abort
 * signal, never aborted (a test run's, or a load script's, shared by its calls); the application
 * keeps that controller and each call's report (its recording too: `record`). Prints, as JSON, how many of the caller's sockets
 * (and the far end objects wrapped around them) the garbage collector could not take. Run by
 * leaks_simulate_call_signal_test.ts with `--v8-flags=--expose-gc`.
 *
 * @module
 */

import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { AsteriskSerializer } from "../src/serializers/asterisk.ts";
import type { FrameSerializer } from "../src/serializer.ts";
import { type CallReport, simulateCall, syntheticCaller } from "../src/simulator/mod.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { Lockstep } from "./_lockstep.ts";
import { serveBot } from "./simulator/_bot.ts";
import { collectGarbage } from "./_collect_garbage.ts";

const CALLS = 4;
const shared = new AbortController();

async function call(
  protocol: string,
  serializer: () => FrameSerializer,
  sockets: WeakRef<object>[],
): Promise<CallReport> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const server = serveBot({
    clock,
    serializer,
    onSession: (t) => lockstep.register(t),
    answerDelayMs: 500,
    answerMs: 1000,
  });
  try {
    return await lockstep.run(simulateCall(server.url, {
      protocol,
      clock,
      connect: (url) => {
        const socket = lockstep.connectCaller(url);
        sockets.push(new WeakRef(socket));
        return socket;
      },
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 400 }),
      lingerMs: 500,
      record: true,
      signal: shared.signal,
    }));
  } finally {
    await server.close();
  }
}

const report: Record<string, { socketsKept: number; ended: string[] }> = {};
const reports: CallReport[] = [];
for (
  const [protocol, serializer] of [
    ["twilio", () => new TwilioSerializer()],
    ["asterisk", () => new AsteriskSerializer()],
  ] as [string, () => FrameSerializer][]
) {
  const sockets: WeakRef<object>[] = [];
  const ended: string[] = [];
  for (let i = 0; i < CALLS; i++) {
    const one = await call(protocol, serializer, sockets);
    reports.push(one);
    ended.push(one.ended.by);
    if (!(one.recording instanceof Uint8Array)) throw new Error("not recorded");
  }
  await collectGarbage();
  report[protocol] = {
    socketsKept: sockets.filter((socket) => socket.deref() !== undefined).length,
    ended: [...new Set(ended)],
  };
}
if (shared.signal.aborted || reports.length !== 2 * CALLS) throw new Error("kept");
console.log(JSON.stringify(report));
