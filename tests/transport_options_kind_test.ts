// A bad option is named by its kind in the error, never by its text: a function's source (a user's
// arrow function, a class) would go whole into the message, and "an Uint8Array" misreads.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../mod.ts";
import { kindOf, withArticle } from "../src/_kind_of.ts";
import { MemorySocketPair } from "../src/testing/memory_socket.ts";

for (
  const [clock, expected, what] of [
    [Date, "a Function", "a class"],
    [() => "a bot's own clock, with its secrets", "a Function", "an arrow function"],
    [new Uint8Array(2), "a Uint8Array", "a Uint8Array"],
    [new URL("http://example.com/"), "a URL", "a URL"],
    [{ now: 5 }, "an object", "an object"],
    ["fake", '"fake"', "a string"],
  ] as const
) {
  Deno.test(`a \`clock\` option that is ${what} is refused, named as ${expected}`, () => {
    const pair = new MemorySocketPair();
    assert.throws(
      () => new WebSocketTransport(pair.server, { clock } as never),
      new TypeError(`clock must be a Clock, got ${expected}`),
    );
  });
}

Deno.test('a class name\'s U reads "you": a Uint8Array, a URL; other vowels take an', () => {
  assert.equal(kindOf(new Uint16Array(1)), "a Uint16Array");
  assert.equal(kindOf(new URLSearchParams()), "a URLSearchParams");
  assert.equal(kindOf(new ArrayBuffer(1)), "an ArrayBuffer");
  assert.equal(withArticle("audio"), "an audio");
  assert.equal(withArticle("interruption"), "an interruption");
  assert.equal(withArticle("mark"), "a mark");
});
