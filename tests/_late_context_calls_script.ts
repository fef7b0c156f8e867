/**
 * A session that ends while its serializer still has calls to make (an asynchronous decode
 * answering late, a count, a report, a message of its own), its transport held by the
 * application (to read its `stats`): after full collections, each late call still reaches it.
 * Prints, as JSON, what reached the held transport. Run by late_context_calls_test.ts with
 * `--v8-flags=--expose-gc`.
 *
 * @module
 */

import { type TransportError, WebSocketTransport } from "../mod.ts";
import type { FrameSerializer, SerializerContext } from "../src/serializer.ts";
import { TransportError as Err } from "../src/errors.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { collectGarbage } from "./_collect_garbage.ts";

let context: SerializerContext | undefined;
const serializer: FrameSerializer = {
  bind(bound) {
    context = bound;
  },
  serialize: () => null,
  deserialize: (data) => ({ type: "message", message: data }),
};

const clock = new FakeClock();
const pair = new MemorySocketPair();
const transport = new WebSocketTransport(pair.server, { serializer, clock });
const errors: TransportError[] = [];
transport.addEventListener("error", (event) => errors.push(event.error));
await clock.tick(0);
pair.client.close(1000);
await transport.closed;
await clock.runAll();

await collectGarbage(); // the transport is held here: nothing it reaches may go
const before = transport.stats.framesDroppedOnClose;
context!.count("framesDroppedOnClose", 2);
context!.send('{"late":true}'); // the socket is closed: dropped, counted
context!.report(new Err("decode", "a late decode failed"));
console.log(JSON.stringify({
  counted: transport.stats.framesDroppedOnClose - before,
  reported: errors.filter((error) => error.message === "a late decode failed").length,
}));
