/**
 * In workerd, a session that is over leaves nothing behind: no transport, none of the objects it
 * made, no workerd socket. Counted in a heap snapshot of the Worker taken over the V8 inspector
 * (V8 collects garbage before it takes one), not watched through WeakRefs (workerd was seen never
 * to clear them), after sessions of the bare Workers adapter and of `CallDurableObject` (an
 * object per call, and one object for every call), ended each way: closed by the client or the
 * server, dropped by a client gone without a close, failed by a client that broke the protocol.
 * `tests/bench/workerd_memory.ts` runs the same for longer and prints the heap's size along.
 */

import assert from "node:assert/strict";
import { miniflareSanitizers } from "./miniflare_sanitizers.ts";
import {
  type HeapCount,
  MemoryWorkerd,
  SESSION_CLASSES,
  SESSION_KINDS,
  type SessionKind,
} from "./cloudflare/memory_workerd.ts";

/** Sessions of each kind: enough that one kept object a session would show many times over. */
const SESSIONS_PER_KIND = 10;

/** A count with `n` of everything a session makes (the heap's size aside). */
function sessionsWorth(n: number): Omit<HeapCount, "usedBytes" | "retainers"> {
  const sessionObjects = Object.fromEntries(
    SESSION_CLASSES.map((name) => [name, n]),
  ) as HeapCount["sessionObjects"];
  return { transports: n, sessionObjects, sockets: n };
}

function withoutSize({ usedBytes: _, retainers: __, ...count }: HeapCount) {
  return count;
}

/**
 * Runs sessions of each of `kinds`, one after another, each until the Worker has seen it end,
 * and holds the heap to nothing left of any, kind by kind (live transports after each kind's
 * sessions, which names the kind that leaves them) and in all.
 */
async function assertNothingOutlives(kinds: readonly SessionKind[]): Promise<void> {
  await using workerd = await MemoryWorkerd.start();
  // The count must find a live session's transport and objects, or its zero below says nothing.
  const worker = kinds.find((kind) => kind.adapter === "worker")!;
  const object = kinds.find((kind) => kind.adapter === "object")!;
  const live = [await workerd.open(worker), await workerd.open(object, "live-call")];
  assert.deepEqual(withoutSize(await workerd.count()), sessionsWorth(2));
  for (const session of live) await session.end();

  const transportsAfter: Record<string, number> = {};
  let left: HeapCount | undefined;
  for (const kind of kinds) {
    await workerd.run(kind, SESSIONS_PER_KIND);
    left = await workerd.count();
    transportsAfter[`${kind.adapter}, ${kind.end} ends`] = left.transports;
  }
  const why = `what keeps the first transports: ${JSON.stringify(left!.retainers, null, 1)}`;
  assert.deepEqual(
    transportsAfter,
    Object.fromEntries(Object.keys(transportsAfter).map((kind) => [kind, 0])),
    `live transports after each kind's ${SESSIONS_PER_KIND} sessions; ${why}`,
  );
  assert.deepEqual(withoutSize(left!), sessionsWorth(0), why);
}

Deno.test(
  "no transport outlives its session in workerd, in a Worker or a Durable Object, closed by either side",
  miniflareSanitizers,
  async () => {
    await assertNothingOutlives(
      SESSION_KINDS.filter((kind) => kind.end === "client" || kind.end === "server"),
    );
  },
);

Deno.test(
  "no transport outlives its session in workerd when the client vanishes or breaks the protocol",
  miniflareSanitizers,
  async () => {
    await assertNothingOutlives(
      SESSION_KINDS.filter((kind) => kind.end === "dropped" || kind.end === "broken"),
    );
  },
);

Deno.test(
  "the workerd heap count finds transports a Worker keeps, and what keeps them",
  miniflareSanitizers,
  async () => {
    // The fixture keeps every transport in a module-level list: the leak the tests above must see.
    await using workerd = await MemoryWorkerd.start({ keepTransports: true });
    for (const kind of SESSION_KINDS) await workerd.run(kind, 1);
    const left = await workerd.count();
    assert.deepEqual(withoutSize(left), sessionsWorth(SESSION_KINDS.length));
    for (const path of left.retainers) {
      assert.ok(
        path.some((step) => step.includes("-context:kept->")),
        `the fixture's list keeps it: ${path.join(" ")}`,
      );
    }
  },
);
