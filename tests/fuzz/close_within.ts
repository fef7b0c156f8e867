// The end of a fuzzed session: its close must settle in bounded real time, with no fake timer left.
import type { WebSocketTransport } from "../../src/transport.ts";
import type { FakeClock } from "../../src/testing/mod.ts";

/** Real milliseconds a close may take before the session counts as hung. */
const CLOSE_GUARD_MS = 2000;

/** Closes the session; it must settle, with no fake timer left behind. */
export async function closeWithin(
  transport: WebSocketTransport,
  clock: FakeClock,
  failures: string[],
): Promise<void> {
  let guard: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((resolve) => {
    guard = setTimeout(() => resolve("hung"), CLOSE_GUARD_MS);
  });
  const closing = transport.close().then(() => transport.closed).then(() => "closed" as const);
  const ran = clock.runAll();
  const outcome = await Promise.race([closing, hung]);
  clearTimeout(guard);
  await ran;
  if (outcome === "hung") failures.push("transport.close() did not settle");
  else if (clock.pendingTimers !== 0) {
    failures.push(`${clock.pendingTimers} fake timer(s) pending after close`);
  }
}
