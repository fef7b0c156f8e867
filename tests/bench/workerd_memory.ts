/**
 * What workerd's heap holds as sessions come and go: for each kind of session (the bare Workers
 * adapter, a `CallDurableObject` per call, one `CallDurableObject` for every call; each ended by
 * the client and by the server), `--batches` batches of `--sessions` sessions one after another,
 * and after each batch a heap snapshot of the Worker (V8 collects garbage before it takes one):
 * the heap's used size, the live transports, the objects a session makes, and workerd's live
 * sockets. `--ends client,server` runs only the sessions ended those ways (of client, server,
 * dropped, broken); `--keep`: the fixture keeps every transport, to see what a leak looks like.
 * `tests/runtimes/workerd_memory_test.ts` asserts the same on fewer sessions.
 *
 *     deno run -A tests/bench/workerd_memory.ts --sessions 300 --batches 2
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  type HeapCount,
  MemoryWorkerd,
  SESSION_KINDS,
} from "../runtimes/cloudflare/memory_workerd.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sessions: { type: "string", default: "300" },
    batches: { type: "string", default: "2" },
    ends: { type: "string", default: "client,server,dropped,broken" },
    keep: { type: "boolean", default: false },
  },
});
const sessions = Number(values.sessions);
const batches = Number(values.batches);
const ends = values.ends.split(",");

function row(label: string, count: HeapCount, msPerSession?: number): string {
  const objects = Object.values(count.sessionObjects).reduce((a, b) => a + b, 0);
  return [
    label.padEnd(28),
    `ended ${String(workerd.sessions).padStart(5)}`,
    msPerSession === undefined
      ? " ".repeat(16)
      : `${msPerSession.toFixed(1).padStart(6)} ms/session`,
    `heap ${(count.usedBytes / 1e6).toFixed(3)} MB`,
    `transports ${count.transports}`,
    `session objects ${objects}`,
    `sockets ${count.sockets}`,
  ].join("  ");
}

await using workerd = await MemoryWorkerd.start({ keepTransports: values.keep });
console.log(row("start", await workerd.count()));
for (const kind of SESSION_KINDS.filter((kind) => ends.includes(kind.end))) {
  for (let batch = 1; batch <= batches; batch++) {
    const started = performance.now();
    await workerd.run(kind, sessions);
    const ms = (performance.now() - started) / sessions;
    const count = await workerd.count();
    console.log(row(`${kind.adapter}, ${kind.end} ends, #${batch}`, count, ms));
    if (count.transports > 0) console.log(`  kept by: ${count.retainers[0]!.join(" ")}`);
  }
}
