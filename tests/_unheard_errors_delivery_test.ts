// Errors reported once an "error" listener has been added, while the errors held for it are about
// to be handed over (a microtask on, _unheard_errors.ts), have a listener: they wait behind the
// held ones, in order, and none is dropped as unheard for want of room (README, Errors: only
// those "no `error` listener heard" are held, 16, and counted beyond that).
import assert from "node:assert/strict";
import { WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

/** Sends a mark whose name is a number: an "encode" error, reported at once, naming it. */
function badMark(transport: WebSocketTransport, n: number): void {
  void transport.send({ type: "mark", name: n as unknown as string });
}

/** The number in each "encode" error's message ("… name is a number (7), …"). */
const numberIn = (message: string) => Number(/\((\d+)\)/.exec(message)?.[1]);

Deno.test('errors reported in the turn an "error" listener is added all reach it, however many', async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, { clock });
  badMark(transport, 1); // no listener yet: held
  const heard: number[] = [];
  transport.addEventListener("error", (event) => heard.push(numberIn(event.error.message)));
  for (let n = 2; n <= 21; n++) badMark(transport, n); // a listener is there: none unheard
  await clock.tick(1);
  assert.deepEqual(heard, Array.from({ length: 21 }, (_, i) => i + 1));
  assert.equal(transport.stats.errorsUnheard, 0);
  await transport.close();
});

Deno.test("errors left when the listener handed them went (`once`) are trimmed to the latest 16, the rest counted", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, { clock });
  badMark(transport, 1);
  const heard: number[] = [];
  const listener = (event: { error: { message: string } }) =>
    heard.push(numberIn(event.error.message));
  transport.addEventListener("error", listener, { once: true });
  for (let n = 2; n <= 21; n++) badMark(transport, n);
  await clock.tick(1);
  assert.deepEqual(heard, [1], "the `once` listener took the first");
  assert.equal(transport.stats.errorsUnheard, 4, "2 to 5: no listener heard them");
  transport.addEventListener("error", listener);
  await clock.tick(1);
  assert.deepEqual(heard, [1, ...Array.from({ length: 16 }, (_, i) => i + 6)]);
  assert.equal(transport.stats.errorsUnheard, 4);
  await transport.close();
});
