/**
 * Sessions that end (the far end closes), each one's serializer kept afterwards, as an application
 * keeps it to read the call's ids once the call is over (`TwilioSerializer.callSid`, `streamSid`,
 * `GenesysSerializer.sessionId`, `AsteriskSerializer.format`); prints, as JSON, for each
 * serializer, how many of the ended transports the garbage collector could not take. Run by
 * leaks_kept_serializer_test.ts with `--v8-flags=--expose-gc`.
 *
 * @module
 */

import { type FrameSerializer, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { collectGarbage } from "./_collect_garbage.ts";
import { PROTOCOLS } from "./fuzz/protocols.ts";

// Every shipped serializer, as the fuzzer makes each.
const SERIALIZERS = [...PROTOCOLS.values()].map((p) => [p.name, p.serializer] as const);
const SESSIONS = 5;

/** One session that ends; its serializer is returned, to be kept, and a weak hold on the rest. */
async function endedSession(make: () => FrameSerializer) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const serializer = make();
  const transport = new WebSocketTransport(pair.server, {
    serializer,
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  transport.addEventListener("error", () => {}); // a far end that never said "start"
  await clock.tick(100);
  pair.client.close(1000);
  await transport.closed;
  await clock.runAll();
  return { serializer, session: new WeakRef(transport) };
}

const report: Record<string, number> = {};
for (const [name, make] of SERIALIZERS) {
  const kept: FrameSerializer[] = [];
  const sessions: WeakRef<object>[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const { serializer, session } = await endedSession(make);
    kept.push(serializer);
    sessions.push(session);
  }
  await collectGarbage();
  report[name] = sessions.filter((session) => session.deref() !== undefined).length;
  if (kept.length !== SESSIONS) throw new Error("kept");
}
console.log(JSON.stringify(report));
