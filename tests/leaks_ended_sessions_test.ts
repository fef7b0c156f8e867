// When a session is over, its connection, timers and memory are gone too, however it ended: the
// far end's close, the bot's, the bot's own failure (1011), its abort signal; while the bot's
// PAUSE_MEDIA held the reply (and Asterisk's MEDIA_XOFF waited on its CONTINUE_MEDIA); with
// `SessionMetrics`, a `CallRecorder` and a `BackgroundAudio` attached, each kept by the
// application afterwards, as is the abort controller (a server's, shared by every session).
import assert from "node:assert/strict";
import { runWithGc } from "./_gc_script.ts";

// Type only: importing the script's values would run it here.
import type { WayReport as Way } from "./_leaks_ended_sessions_script.ts";

const SESSIONS = 10;

Deno.test("a session ended in any way, mid-pause, leaves no timer, and what the application keeps holds neither it nor its audio", async () => {
  // In a process of its own, where a full garbage collection can be asked for before measuring.
  const report = await runWithGc(
    new URL("./_leaks_ended_sessions_script.ts", import.meta.url),
  ) as Way[];
  assert.equal(report.length, 12);
  for (const way of report) {
    const { way: name, closings } = way;
    // The session went the way it was meant to: held by the bot's pause, ended so, observed to it.
    assert.equal(way.heldTold, SESSIONS, `${name}: the observers were told of the far end's hold`);
    assert.equal(way.ended, SESSIONS, `${name}: the metrics and the recording ended with it`);
    const expected = name.startsWith("far end")
      ? "1000 remote"
      : name.startsWith("bot's handler")
      ? "1011 local"
      : "1000 local";
    assert.deepEqual(closings, [expected], `${name}: closed so`);
    assert.equal(way.sendPaused, name.endsWith("under XOFF") ? SESSIONS : 0, `${name}: XOFF`);
    // Nothing outlives it.
    assert.equal(way.timersLeft, 0, `${name}: timers still pending once \`closed\` resolved`);
    assert.equal(way.sessionsKept, 0, `${name}: ended transports the kept objects still hold`);
    assert.equal(way.repliesKept, 0, `${name}: the bot's reply buffers still held`);
  }
});
