// A full `MemoryReplayGuard` forgets a key on each claim. Kept in one `Map` walked from the
// front, each forgotten key left a hole that V8 keeps until its next rehash and every later walk
// stepped over: at the default 100,000 keys a claim cost ~0.2 ms of blocked event loop, 400,000
// distinct claims 45 s. A queue beside the map makes it O(1) per claim again (its cost measured
// in tests/bench/replay_guard_bench.ts, full beside empty); these check that it still keeps its
// bound and forgets exactly what the one `Map` forgot.
import assert from "node:assert/strict";
import { MemoryReplayGuard } from "../../../src/serializers/telephony/replay_guard.ts";

Deno.test("`MemoryReplayGuard` at its bound keeps the newest keys through a flood of distinct ones", () => {
  const guard = new MemoryReplayGuard({ now: () => 0 }); // 100,000 keys, none expiring
  const claims = 400_000;
  for (let i = 0; i < claims; i++) assert.equal(guard.claim(`plivo:${i}`), true);
  assert.equal(guard.size, 100_000, "the memory bound holds");
  assert.equal(guard.claim(`plivo:${claims - 1}`), false, "the newest is remembered");
  assert.equal(guard.claim(`plivo:${claims - 100_000}`), false, "the oldest kept is remembered");
  assert.equal(guard.claim("plivo:0"), true, "the oldest was forgotten");
});

/** The guard's documented behaviour, kept in one array walked in full (slow, plainly right). */
class ModelGuard {
  #claims: { key: string; until: number }[] = [];
  constructor(readonly windowMs: number, readonly maxEntries: number) {}
  claim(key: string, now: number, expiresAt?: number): boolean {
    // Expired keys at the front are forgotten; one behind a live key waits (as documented).
    while (this.#claims.length > 0 && this.#claims[0]!.until <= now) this.#claims.shift();
    const index = this.#claims.findIndex((claim) => claim.key === key);
    if (index >= 0 && this.#claims[index]!.until > now) return false;
    if (index >= 0) this.#claims.splice(index, 1);
    const until = expiresAt ?? now + this.windowMs;
    if (until > now) this.#claims.push({ key, until });
    if (this.#claims.length > this.maxEntries) this.#claims.shift();
    return true;
  }
  get size(): number {
    return this.#claims.length;
  }
}

Deno.test("`MemoryReplayGuard` answers as one ordered seen-set would, through expiry and eviction", () => {
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  for (const maxEntries of [1, 3, 50]) {
    let now = 0;
    const guard = new MemoryReplayGuard({ windowMs: 100, maxEntries, now: () => now });
    const model = new ModelGuard(100, maxEntries);
    for (let step = 0; step < 20_000; step++) {
      now += random(4); // keys expire while others are claimed again
      const key = `k${random(80)}`;
      // Mixed expiries (Telnyx's own, some long, some already past) put a live key in front of
      // expired ones: the case where stale entries pile up in the queue.
      const choice = random(4);
      const expiresAt = choice === 0
        ? undefined
        : choice === 1
        ? now + random(400)
        : choice === 2
        ? now - random(3)
        : now + 1 + random(50);
      assert.equal(guard.claim(key, expiresAt), model.claim(key, now, expiresAt), `step ${step}`);
      assert.equal(guard.size, model.size, `size at step ${step}`);
    }
  }
});
