/**
 * Sessions that end, each one's serializer kept afterwards, as an application
 * keeps it to read the call's ids once the call is over (`TwilioSerializer.callSid`, `streamSid`,
 * `GenesysSerializer.sessionId`, `AsteriskSerializer.format`); prints, as JSON, for each
 * serializer and way of ending, how many of the ended transports the garbage collector could not
 * take. The ways: the far end closes before saying anything; or, its stream opened (its opening
 * messages, media, its controls: a start, a Genesys `open`) and the bot's reply under way, the far
 * end closes, the bot ends (`end`), or the bot cancels (`cancel`). Run by
 * leaks_kept_serializer_test.ts with `--v8-flags=--expose-gc`.
 *
 * @module
 */

import { type FrameSerializer, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { collectGarbage } from "./_collect_garbage.ts";
import { type InboundProtocol, toWire } from "./fuzz/generators.ts";
import { PROTOCOLS } from "./fuzz/protocols.ts";

const SESSIONS = 5;

/** How a session ends: after saying nothing, or with its stream opened and the bot talking. */
const WAYS = {
  "silent, far end closes": { opened: false, end: (s: Ending) => s.pair.client.close(1000) },
  "opened, far end closes": { opened: true, end: (s: Ending) => s.pair.client.close(1000) },
  "opened, bot ends": { opened: true, end: (s: Ending) => void s.transport.send({ type: "end" }) },
  "opened, bot cancels": {
    opened: true,
    end: (s: Ending) => void s.transport.send({ type: "cancel" }),
  },
} as const;

interface Ending {
  pair: MemorySocketPair;
  transport: WebSocketTransport;
}

/** One session that ends; its serializer is returned, to be kept, and a weak hold on the rest. */
async function endedSession(protocol: InboundProtocol, way: keyof typeof WAYS) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const serializer = protocol.serializer();
  const transport = new WebSocketTransport(pair.server, {
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    ...protocol.options,
    serializer,
    clock,
  });
  transport.addEventListener("error", () => {}); // a far end that never said "start"
  await clock.tick(100);
  if (WAYS[way].opened) {
    let seq = 1;
    for (const message of protocol.opening()) pair.client.send(toWire(message)), seq++;
    for (let chunk = 0; chunk < 3; chunk++) pair.client.send(toWire(protocol.media(seq++, chunk)));
    for (const message of protocol.controls(seq)) pair.client.send(toWire(message)), seq++;
    await clock.tick(20);
    // The bot's reply under way: a second of it queued, part of it sent (ConversationRelay
    // carries text: its reply is a token streamed).
    const audio = new Uint8Array(32_000);
    void transport.send({ type: "text", text: "Hello" });
    void transport.send({ type: "audio", audio, sampleRate: 16000, channels: 1 });
    await clock.tick(100);
    const { framesIn, messagesOut } = transport.stats;
    // Not a session that never began: the far end's media read, something of ours sent.
    if (framesIn === 0 || messagesOut === 0) {
      throw new Error(`${protocol.name}: framesIn ${framesIn}, messagesOut ${messagesOut}`);
    }
  }
  WAYS[way].end({ pair, transport });
  await clock.tick(100);
  await clock.runAll();
  pair.client.close(1000);
  await transport.closed;
  await clock.runAll();
  return { serializer, session: new WeakRef(transport) };
}

const report: Record<string, number> = {};
for (const protocol of PROTOCOLS.values()) {
  for (const way of Object.keys(WAYS) as (keyof typeof WAYS)[]) {
    const kept: FrameSerializer[] = [];
    const sessions: WeakRef<object>[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const { serializer, session } = await endedSession(protocol, way);
      kept.push(serializer);
      sessions.push(session);
    }
    await collectGarbage();
    report[`${protocol.name}: ${way}`] = sessions.filter((s) => s.deref() !== undefined).length;
    if (kept.length !== SESSIONS) throw new Error("kept");
  }
}
console.log(JSON.stringify(report));
