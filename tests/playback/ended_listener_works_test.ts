// A `speakingstop` listener that works in the session's end: the session's end stops what is
// audible ("ended", `PlaybackTracker.end`), and a listener of that stop may send, interrupt, close
// (`close()` again, which ends the tracker again, from inside its own end) or work a while in the
// turn that sent the last audio. The end is safe to re-enter: nothing it dispatches to starts
// anything anew. What the listener sends is too late, dropped and counted; no response begins
// after the end; each one begun stops once; no timer is left (the sanitizers); no error.
// (It was so before these tests: they pin it.)
//
// The far end: tests/_fake_far_end.ts (Twilio Media Streams: a mark is sent back once the media
// before it has played).
import assert from "node:assert/strict";
import { MarkingSerializer } from "../_fake_far_end.ts";
import { markingCall } from "../_marking_call.ts";
import { BYTES_PER_MS } from "../_stall_call.ts";
import { StallClock } from "../_stall_clock.ts";

const WORK = ["sends", "interrupts", "closes", "blocks 50 ms and sends"] as const;

for (const work of WORK) {
  for (const ending of ["close()", "the far end's close"] as const) {
    Deno.test(`a \`speakingstop\` listener that ${work} at ${ending}: nothing begins after it, no error`, async () => {
      const clock = new StallClock();
      const { pair, transport, errors, say } = await markingCall(
        clock,
        new MarkingSerializer(),
        {},
      );
      const events: string[] = [];
      transport.addEventListener("speakingstart", (e) => events.push(`start ${e.responseId}`));
      transport.addEventListener("speakingstop", (e) => {
        events.push(`stop ${e.responseId} ${e.reason}`);
        if (e.reason !== "ended") return;
        if (work === "interrupts") void transport.interrupt();
        else if (work === "closes") void transport.close();
        else {
          if (work !== "sends") clock.block(50);
          say(200, "r2");
        }
      });
      say(100, "r1");
      await clock.tick(90); // all of r1 has left (20 ms ahead), its end not yet played
      const droppedBefore = transport.stats.audioBytesDroppedOnClose;
      if (ending === "close()") await transport.close();
      else {
        pair.client.close();
        await transport.closed;
      }
      await clock.tick(1000);
      assert.deepEqual(events, ["start r1", "stop r1 ended"]);
      assert.equal(transport.playback.speaking, false);
      assert.deepEqual(errors, []);
      const dropped = transport.stats.audioBytesDroppedOnClose - droppedBefore;
      assert.equal(dropped, work.endsWith("sends") ? 200 * BYTES_PER_MS : 0, "r2 dropped, counted");
      assert.equal(transport.stats.audioBytesSent, 100 * BYTES_PER_MS);
    });
  }
}

Deno.test("a `speakingstart` listener that works 50 ms and closes: the end inside the update that began the reply, its stop once, no timer left", async () => {
  // The update that dispatched `speakingstart` runs on after the listener (`afterDispatch`: the
  // turn that sent the reply's first chunk went on 50 ms), over a tracker the close has ended.
  const clock = new StallClock();
  const { transport, errors, say } = await markingCall(clock, new MarkingSerializer(), {});
  const events: string[] = [];
  transport.addEventListener("speakingstart", (e) => {
    events.push(`start ${e.responseId}`);
    clock.block(50);
    void transport.close();
  });
  transport.addEventListener(
    "speakingstop",
    (e) => events.push(`stop ${e.responseId} ${e.reason}`),
  );
  say(100, "r1");
  await transport.closed;
  await clock.tick(1000);
  assert.deepEqual(events, ["start r1", "stop r1 ended"]);
  assert.equal(transport.playback.speaking, false);
  assert.deepEqual(errors, []);
});
