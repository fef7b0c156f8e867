/**
 * CPU time per message of the push echo on Node's adapter shim, driven by hand (no network):
 * bundles `frame_cost_node.ts`, runs it with `node`, and prints each round and the medians, the
 * push surface's over the floor's handler. The Node counterpart of `tests/bench/frame_cost.ts`.
 *
 * ```sh
 * npx deno run -A tests/runtimes/node/node_frame_cost.ts [--frames 200000] [--rounds 5] \
 *   [--sessions 1] [--syscall]   # --syscall: each echo also written to /dev/null
 * ```
 *
 * @module
 */

import { dirname } from "node:path";
import { bundleForNode } from "./child_runtime.ts";

const bundle = await bundleForNode(import.meta.resolve("./frame_cost_node.ts"));
try {
  const output = await new Deno.Command("node", { args: [bundle, ...Deno.args] }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
  console.log(text.trimEnd());
  const times = new Map<string, number[]>();
  for (const [, kind, us] of text.matchAll(/: (\w+) ([\d.]+) µs a message/g)) {
    times.set(kind!, [...times.get(kind!) ?? [], Number(us)]);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const bare = median(times.get("bare")!);
  const push = median(times.get("push")!);
  console.log(
    `median: bare ${bare.toFixed(3)}, push ${push.toFixed(3)} µs a message; ` +
      `push over bare ${(push - bare).toFixed(3)} µs`,
  );
} finally {
  await Deno.remove(dirname(bundle), { recursive: true });
}
