// `stats.marksUnanswered`: every playout mark the transport sent is acknowledged, given up on, or
// still pending; none vanishes from the counts.
import assert from "node:assert/strict";
import { WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { answer } from "../_caller_fixtures.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";

/** Bot audio at 16 kHz to a far end `delayMs` behind (told as `playoutDelayMs`). */
function call(delayMs: number, acks = true) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    playoutDelayMs: delayMs,
    clock,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: delayMs, bytesPerMs: 32, acks });
  return { clock, pair, transport, farEnd };
}

Deno.test("marks a clear dropped from the far end's buffer count as unanswered", async () => {
  // A far end 500 ms behind: the marks of the last half second wait when the clear comes.
  const { clock, pair, transport } = call(500);
  transport.receive(() => {});
  await clock.tick(0);
  transport.send(answer(3000, "r1"));
  await clock.tick(1500);
  const waiting = transport.stats.marksSent - transport.stats.marksAcknowledged;
  assert.ok(waiting >= 1, `${waiting} marks waiting at 1.5 s`);
  await transport.interrupt();
  await clock.tick(200); // the far end's answers to the cleared marks come back, unknown now
  const s = transport.stats;
  assert.equal(s.marksUnanswered, waiting);
  assert.equal(s.marksAcknowledged + s.marksUnanswered, s.marksSent);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("marks still pending when the session ends count as unanswered", async () => {
  const { clock, pair, transport } = call(40, false);
  transport.receive(() => {});
  await clock.tick(0);
  transport.send(answer(2000, "r1"));
  await clock.tick(2500);
  const sent = transport.stats.marksSent;
  assert.ok(sent >= 2);
  assert.equal(transport.stats.marksUnanswered, 0, "still waited for while the session runs");
  pair.client.close(1000);
  await transport.closed;
  assert.equal(transport.stats.marksUnanswered, sent);
  assert.equal(transport.stats.marksAcknowledged, 0);
});

Deno.test("a mark passed by the answer to a later one counts as unanswered", async () => {
  const { clock, pair, transport, farEnd } = call(40, false);
  transport.receive(() => {});
  await clock.tick(0);
  transport.send(answer(2000, "r1"));
  await clock.tick(1000);
  const marks = farEnd.texts.filter((t) => t.text.startsWith("mark:"));
  assert.ok(marks.length >= 2, `${marks.length} marks by 1 s`);
  pair.client.send(marks[1]!.text); // the second answered, the first never
  await clock.tick(0);
  assert.equal(transport.stats.marksAcknowledged, 1);
  assert.equal(transport.stats.marksUnanswered, 1);
  pair.client.close(1000);
  await transport.closed;
  const s = transport.stats;
  assert.equal(s.marksAcknowledged + s.marksUnanswered, s.marksSent);
});
