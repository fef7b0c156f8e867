/**
 * Twenty sessions, each observed by an observer that holds 1 MB (a recording's buffers, say), that
 * end; each transport is kept afterwards (as an application keeps its recent sessions, to read
 * their `stats`) and each observer let go; prints, as JSON, how many of the observers the garbage
 * collector could take. Run by observers_let_go_at_end_test.ts with `--v8-flags=--expose-gc`.
 *
 * @module
 */

import { WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { collectGarbage } from "./_collect_garbage.ts";

const clock = new FakeClock();

/** One observed session that ends; the transport is kept, the observer only watched. */
async function observedCall(): Promise<
  { transport: WebSocketTransport; observer: WeakRef<object> }
> {
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, { clock });
  const held = new Uint8Array(1 << 20);
  const observer = { inboundAudio: () => void held.fill(1), closed: () => {} };
  transport.observe(observer);
  await clock.tick(100);
  pair.client.close(1000);
  await transport.closed;
  return { transport, observer: new WeakRef(observer) };
}

const CALLS = 20;
const kept: WebSocketTransport[] = [];
const observers: WeakRef<object>[] = [];
for (let i = 0; i < CALLS; i++) {
  const { transport, observer } = await observedCall();
  kept.push(transport);
  observers.push(observer);
}
await clock.tick(1000);
await collectGarbage();
console.log(JSON.stringify({
  observersCollected: observers.filter((observer) => observer.deref() === undefined).length,
  transportsKept: kept.length,
}));
