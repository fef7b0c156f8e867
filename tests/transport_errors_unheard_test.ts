// Every "error" event no listener heard waits for the next "error" listener (_unheard_errors.ts):
// before the first one (a serializer's set-up inside `upgrade()`), and after it as well — a
// first listener added with `once` goes with the first error, a probe added and removed in one
// turn leaves no one, a component that unsubscribed leaves none until it subscribes again. None
// of them may be lost uncounted: 16 are held, the rest counted in `stats.errorsUnheard`.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";

function session() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, { clock });
  return { clock, pair, transport };
}

/** Sends a mark whose name is a number: an "encode" error, reported at once, naming it. */
function badMark(transport: WebSocketTransport, n: number): void {
  void transport.send({ type: "mark", name: n as unknown as string });
}

/** The number in each "encode" error's message ("… name is a number (7), …"). */
const numbers = (messages: string[]) => messages.map((m) => Number(/\((\d+)\)/.exec(m)?.[1]));

/** A listener that keeps the number of each error it hears. */
function hearing() {
  const messages: string[] = [];
  const listener = (event: { error: { message: string } }) => messages.push(event.error.message);
  return { listener, heard: () => numbers(messages) };
}

Deno.test('a first "error" listener added with `once` takes one held error; the rest wait for the next listener', async () => {
  const s = session();
  badMark(s.transport, 1);
  badMark(s.transport, 2);
  const first = hearing();
  s.transport.addEventListener("error", first.listener, { once: true });
  await s.clock.tick(1);
  assert.deepEqual(first.heard(), [1]);
  const later = hearing();
  s.transport.addEventListener("error", later.listener);
  assert.deepEqual(later.heard(), [], "a microtask after the listener is added, not inside it");
  await s.clock.tick(1);
  assert.deepEqual(later.heard(), [2]);
  assert.deepEqual(first.heard(), [1], "once each");
  assert.equal(s.transport.stats.encodeErrors, 2);
  assert.equal(s.transport.stats.errorsUnheard, 0);
  await s.transport.close();
});

Deno.test('an "error" listener added and removed in one turn leaves the held errors for the next', async () => {
  const s = session();
  badMark(s.transport, 1);
  badMark(s.transport, 2);
  const probe = () => assert.fail("removed before the held errors went out");
  s.transport.addEventListener("error", probe);
  s.transport.removeEventListener("error", probe);
  await s.clock.tick(1);
  badMark(s.transport, 3); // after those still held
  const later = hearing();
  s.transport.addEventListener("error", later.listener);
  await s.clock.tick(1);
  assert.deepEqual(later.heard(), [1, 2, 3]);
  assert.equal(s.transport.stats.errorsUnheard, 0);
  await s.transport.close();
});

Deno.test('an error reported while no "error" listener remains is held for the next one, in order', async () => {
  const s = session();
  const first = hearing();
  s.transport.addEventListener("error", first.listener);
  await s.clock.tick(1);
  badMark(s.transport, 1);
  assert.deepEqual(first.heard(), [1], "heard at once while someone listens");
  s.transport.removeEventListener("error", first.listener);
  badMark(s.transport, 2);
  badMark(s.transport, 3);
  const next = hearing();
  s.transport.addEventListener("error", next.listener);
  badMark(s.transport, 4); // joins those held: they go first
  assert.deepEqual(next.heard(), [], "a microtask after the listener is added, not inside it");
  await s.clock.tick(1);
  assert.deepEqual(next.heard(), [2, 3, 4]);
  badMark(s.transport, 5);
  assert.deepEqual(next.heard(), [2, 3, 4, 5], "and at once again after them");
  assert.deepEqual(first.heard(), [1]);
  assert.equal(s.transport.stats.errorsUnheard, 0);
  await s.transport.close();
});

Deno.test('an "error" listener whose signal aborted leaves the errors after it held', async () => {
  const s = session();
  const first = hearing();
  const unsubscribe = new AbortController();
  s.transport.addEventListener("error", first.listener, { signal: unsubscribe.signal });
  await s.clock.tick(1);
  unsubscribe.abort();
  badMark(s.transport, 1);
  const next = hearing();
  s.transport.addEventListener("error", next.listener);
  await s.clock.tick(1);
  assert.deepEqual([first.heard(), next.heard()], [[], [1]]);
  await s.transport.close();
});

Deno.test("errors no listener heard after the first listener left: the latest 16 held, the rest counted", async () => {
  const s = session();
  const first = hearing();
  s.transport.addEventListener("error", first.listener, { once: true });
  badMark(s.transport, 0);
  await s.clock.tick(1);
  assert.deepEqual(first.heard(), [0]);
  for (let n = 1; n <= 20; n++) badMark(s.transport, n);
  assert.equal(s.transport.stats.errorsUnheard, 4);
  const next = hearing();
  s.transport.addEventListener("error", next.listener);
  await s.clock.tick(1);
  assert.deepEqual(next.heard(), Array.from({ length: 16 }, (_, i) => i + 5));
  assert.equal(s.transport.stats.errorsUnheard, 4);
  assert.equal(s.transport.stats.encodeErrors, 21);
  await s.transport.close();
});

Deno.test('held errors go out once each: a `once` "error" listener that adds the next hands it the rest', async () => {
  const s = session();
  badMark(s.transport, 1);
  badMark(s.transport, 2);
  badMark(s.transport, 3);
  const next = hearing();
  const first = hearing();
  s.transport.addEventListener("error", (event) => {
    first.listener(event);
    s.transport.addEventListener("error", next.listener);
  }, { once: true });
  await s.clock.tick(1);
  assert.deepEqual([first.heard(), next.heard()], [[1], [2, 3]]);
  await s.clock.tick(1);
  assert.deepEqual([first.heard(), next.heard()], [[1], [2, 3]], "none twice");
  assert.equal(s.transport.stats.errorsUnheard, 0);
  await s.transport.close();
});
