import assert from "node:assert/strict";
import { MemoryReplayGuard } from "../../../src/serializers/telephony/replay_guard.ts";

Deno.test("`MemoryReplayGuard` refuses a key within its window and forgets it after", () => {
  let now = 1_000;
  const guard = new MemoryReplayGuard({ windowMs: 500, now: () => now });
  assert.equal(guard.claim("a"), true);
  now = 1_499;
  assert.equal(guard.claim("a"), false);
  assert.equal(guard.claim("b"), true);
  now = 1_500;
  assert.equal(guard.claim("a"), true, "a's window has passed");
  assert.equal(guard.claim("b"), false, "b's has not");
  now = 10_000;
  guard.claim("c");
  assert.equal(guard.size, 1, "expired keys are dropped");
});

Deno.test("`MemoryReplayGuard` keeps a key until the expiry it is given", () => {
  let now = 0;
  const guard = new MemoryReplayGuard({ windowMs: 100, now: () => now });
  assert.equal(guard.claim("long", 1_000), true);
  assert.equal(guard.claim("short", 10), true);
  now = 10;
  assert.equal(guard.claim("short", 10), true, "expired at 10");
  now = 999;
  assert.equal(guard.claim("long", 1_000), false, "remembered past the window, until 1000");
  now = 1_000;
  assert.equal(guard.claim("long", 1_000), true);
  assert.equal(guard.claim("past", 500), true, "already expired: nothing to remember");
  assert.equal(guard.claim("past", 500), true);
});

Deno.test("`MemoryReplayGuard` holds at most maxEntries keys, forgetting the oldest first", () => {
  const guard = new MemoryReplayGuard({ maxEntries: 3, now: () => 0 });
  for (const key of ["a", "b", "c", "d"]) assert.equal(guard.claim(key), true);
  assert.equal(guard.size, 3);
  assert.equal(guard.claim("b"), false);
  assert.equal(guard.claim("d"), false);
  assert.equal(guard.claim("a"), true, "the oldest was forgotten early (the documented limit)");
  assert.equal(guard.size, 3);
});

Deno.test("`MemoryReplayGuard` refuses nonsensical options, naming the value", () => {
  for (const windowMs of [0, -1, NaN, Infinity]) {
    assert.throws(() => new MemoryReplayGuard({ windowMs }), new RegExp(`got ${windowMs}`));
  }
  for (const maxEntries of [0, 1.5, -3]) {
    assert.throws(() => new MemoryReplayGuard({ maxEntries }), RangeError);
  }
});
