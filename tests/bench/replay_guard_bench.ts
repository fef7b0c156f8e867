// What a claim costs `MemoryReplayGuard` once it is full (each claim forgets the oldest key)
// beside one still filling (nothing forgotten): about the same where forgetting is O(1). Kept in
// one `Map` walked from the front, the full guard's claims cost ~0.2 ms each (holes left by the
// keys forgotten). Run: `npx deno bench -A tests/bench/replay_guard_bench.ts`.
import { MemoryReplayGuard } from "../../src/serializers/telephony/replay_guard.ts";

const CLAIMS = 100_000;

Deno.bench("MemoryReplayGuard: 100,000 claims filling it", {
  group: "replay guard",
  baseline: true,
}, () => {
  const guard = new MemoryReplayGuard({ now: () => 0 });
  for (let i = 0; i < CLAIMS; i++) guard.claim(`plivo:${i}`);
});

Deno.bench("MemoryReplayGuard: 100,000 claims once full (each forgets one)", {
  group: "replay guard",
}, (b) => {
  const guard = new MemoryReplayGuard({ now: () => 0 });
  for (let i = 0; i < 3 * CLAIMS; i++) guard.claim(`plivo:${i}`);
  b.start();
  for (let i = 3 * CLAIMS; i < 4 * CLAIMS; i++) guard.claim(`plivo:${i}`);
  b.end();
});
