// The raw far end (far_ends/raw_pcm.ts: the bot's 16 kHz PCM16 played as it comes) taught two text
// commands of the test's bot, so that a test can reach the call's `FarEndContext.dropQueued`
// (far_end.ts) as a platform's own rule would: `mark:<name>` is a mark, its answer noted with the
// call time, and `drop:<from>:<to>` drops that part of the playout queue, noting when it dropped.
import assert from "node:assert/strict";
import { type CallReport, simulateCall } from "../../src/simulator/mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { rawChangedOnOpen } from "./_raw_far_end.ts";

/** The raw far end taking `mark:` and `drop:`; marks answered go in `acks`, drop times in `drops`. */
export function rawWithDrops(acks: Record<string, number>, drops: number[]) {
  return rawChangedOnOpen((farEnd, context) => {
    const receive = farEnd.receive.bind(farEnd);
    farEnd.receive = (data) => {
      if (typeof data !== "string") return receive(data);
      const [what, a, b] = data.split(":");
      if (what === "mark") return context.mark(a!, "drop", () => (acks[a!] = context.now()));
      if (what !== "drop") return receive(data);
      drops.push(context.now());
      context.dropQueued(Number(a), Number(b));
    };
  });
}

/**
 * A call of 2 s to the raw far end with drops, on a FakeClock over memory sockets: `bot` drives
 * the bot's side (with the call's clock) 10 ms in, and the call is run to its end. The report
 * (with the call's recording if `record`), the marks' answer times and the drops' times.
 */
export async function callWithDrops(
  bot: (pair: MemorySocketPair, clock: FakeClock) => void | Promise<void>,
  { record = false }: { record?: boolean } = {},
) {
  const acks: Record<string, number> = {};
  const drops: number[] = [];
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  let report: CallReport | undefined;
  simulateCall("ws://bot.invalid/", {
    protocol: rawWithDrops(acks, drops),
    clock,
    connect: () => pair.client,
    hangUpAtMs: 2_000,
    ...(record ? { record } : {}),
  }).then((r) => (report = r));
  await clock.tick(10);
  await bot(pair, clock);
  for (let t = 0; t < 5_000 && report === undefined; t += 10) await clock.tick(10);
  assert.ok(report, "the call ended");
  return { report, acks, drops };
}
