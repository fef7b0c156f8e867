// A far end that answers a mark as it arrives, before the audio ahead of it has played (the load
// benchmark's client does), teaches no lag a mark can measure: `heardMs` runs ahead of it by its
// buffer less what the answers measure, whatever the tracker does. An end-of-speech mark sent late
// (the quiet time after a real-time reply's last chunk, 20 ms after its place played by the
// estimate) measures those 20 ms, and `heardMs` went by them until the next read. Taken as a bound
// that only lowered what `heardMs` goes by, it left the cadence's reads standing (the first mark,
// answered as it came, measured none): `heardMs` ahead by the whole buffer, 15 ms more than when
// the end mark's answer was read (80 → 95 ms ahead of a 100 ms buffer, 10 → 25 of a 30 ms one).
//
// The far end: a minimal one here (FakeFarEnd holds marks until their place plays), playing what
// arrives `bufferMs` later and answering marks at once.
import assert from "node:assert/strict";
import { FakeClock } from "../../src/testing/mod.ts";
import { markingSession } from "./_late_end_mark_replies.ts";

const END_MARK_LATE_MS = 20;

for (const bufferMs of [30, 100]) {
  Deno.test(`heardMs runs no further ahead of a far end answering marks on arrival than its end marks say (${bufferMs} ms buffer)`, async () => {
    const clock = new FakeClock(1000);
    const { pair, transport, say } = markingSession(clock);
    let playsUntil = 0;
    const played: { value: number; at: number; ms: number }[] = [];
    pair.client.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      if (typeof data === "string") {
        if (data.startsWith("mark:")) pair.client.send(data); // at once, played or not
        return;
      }
      const bytes = new Uint8Array(data as ArrayBuffer);
      const at = Math.max(clock.now() + bufferMs, playsUntil);
      playsUntil = at + bytes.length / 32;
      played.push({ value: bytes[0]!, at, ms: bytes.length / 32 });
    });
    const playedMs = (value: number) =>
      played.filter((span) => span.value === value)
        .reduce((ms, span) => ms + Math.max(0, Math.min(span.ms, clock.now() - span.at)), 0);
    await clock.tick(0);
    const ahead: number[] = [];
    for (let reply = 1; reply <= 6; reply++) {
      await say(reply, 5);
      await clock.tick(5);
      ahead.push(transport.playback.heardMs - playedMs(reply));
      await clock.tick(1000);
    }
    // From the second reply on, after the first end mark's answer. Before: 15 ms further ahead.
    for (const ms of ahead.slice(1)) assert.ok(ms <= bufferMs - END_MARK_LATE_MS, `${ahead}`);
    pair.client.close(1000);
    await transport.closed;
  });
}
