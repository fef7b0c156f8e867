// An expiry that is no time (NaN from a malformed timestamp header) must not make the guard
// remember nothing, which would let every replay pass: it is refused before anything is recorded.
import assert from "node:assert/strict";
import { MemoryReplayGuard } from "../../../src/serializers/telephony/replay_guard.ts";

Deno.test("`MemoryReplayGuard.claim` refuses an expiry that is not a finite number", () => {
  const guard = new MemoryReplayGuard({ now: () => 1_000 });
  for (const expiresAt of [NaN, Infinity, -Infinity, "5000" as unknown as number]) {
    assert.throws(() => guard.claim("acme:sig", expiresAt), RangeError, String(expiresAt));
  }
  assert.equal(guard.size, 0, "nothing recorded");
  assert.equal(guard.claim("acme:sig", 5_000), true, "the key was not used up");
  assert.equal(guard.claim("acme:sig", 5_000), false);
  assert.equal(guard.claim("acme:other"), true, "no expiry: the guard's own window");
});

Deno.test("`MemoryReplayGuard.claim` refuses a clock that gives no finite time, rather than remember nothing", () => {
  // Each of these made every claim pass and record nothing: a replay guard that let every
  // replay through (NaN compares false with any expiry; a Date plus the window is a string).
  const clocks = [() => NaN, () => undefined, () => new Date(1_000), () => Infinity];
  for (const clock of clocks) {
    const guard = new MemoryReplayGuard({ now: clock as unknown as () => number });
    assert.throws(
      () => guard.claim("plivo:nonce-1"),
      (e: Error) =>
        e instanceof RangeError && /now\(\) must return a finite number/.test(e.message),
      String(clock()),
    );
    assert.equal(guard.size, 0);
  }
});
