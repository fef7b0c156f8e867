// The ConversationRelay far end's preemption on a context that can drop part of its queue (the
// call's, far_end.ts `dropQueued`). Twilio's "Getting and sending WebSocket messages"
// (twilio.com/docs/voice/conversationrelay/websocket-messages), "Text tokens message": each talk
// cycle carries its own `preemptible`, "if the TTS of the current talk cycle can allow text tokens
// from the subsequent talk cycle to interrupt" (changelog, 2025-04-01); "Interrupt message": what
// was heard of the cycle being heard (`utteranceUntilInterrupt`, `durationUntilInterruptMs`).
// Every preemptible cycle still queued is taken out where it lies, however many, and the cycles
// kept play on as queued: no clear, nothing queued again.
import assert from "node:assert/strict";
import {
  ConversationRelayFarEnd,
  MS_PER_CHARACTER,
} from "../../../src/simulator/far_ends/conversation_relay.ts";
import { PlayoutBuffer } from "../../../src/simulator/playout_buffer.ts";
import { farEndContext } from "./_context.ts";

const ms = (text: string) => text.length * MS_PER_CHARACTER;
const text = (token: string, flags: Record<string, unknown> = {}) =>
  JSON.stringify({ type: "text", token, last: true, ...flags });

Deno.test("ConversationRelay far end: preemptible cycles between kept ones are dropped where they lie", () => {
  let now = 0;
  let clears = 0;
  const interrupts: Record<string, unknown>[] = [];
  const buffer = new PlayoutBuffer({ sampleRate: 8000 });
  const far = new ConversationRelayFarEnd({});
  far.open(farEndContext({
    now: () => now,
    // Text cycles only, `times` 1: passed on all the same, as the call's own context does.
    play: (samples, times) => buffer.enqueue(samples, now, times),
    queuedMs: () => (buffer.advance(now), buffer.queuedMs),
    clear: () => void (buffer.clear(now), clears++),
    dropQueued: (fromMs, toMs) => void buffer.dropQueued(fromMs, toMs, now),
    send: (m) => {
      const message = JSON.parse(m as string);
      if (message.type === "interrupt") interrupts.push(message);
    },
  }));
  const NOTICE = "This call is recorded.";
  const HOLD = "Please hold.";
  const MORE = "One moment more.";
  const STILL = "Still here.";
  const ANSWER = "How can I help?";
  far.receive(text(NOTICE, { interruptible: "none" }));
  far.receive(text(HOLD, { preemptible: true }));
  far.receive(text(MORE));
  far.receive(text(STILL, { preemptible: true }));
  now = 5 * MS_PER_CHARACTER; // "This " heard
  far.receive(text(ANSWER)); // both preemptible cycles give way; the notice and MORE play on
  assert.equal(clears, 0, "no clear: the platform's own drop");
  assert.equal(buffer.queuedMs, ms(NOTICE) - 5 * MS_PER_CHARACTER + ms(MORE) + ms(ANSWER));
  const stats = buffer.stats();
  assert.equal(stats.clearedMs, ms(HOLD) + ms(STILL));
  assert.equal(stats.receivedMs, ms(NOTICE) + ms(HOLD) + ms(MORE) + ms(STILL) + ms(ANSWER));
  assert.equal(stats.chunks, 5, "nothing queued again");
  // The notice heard out, then "One " of MORE: the caller's speech stops MORE, the cycle being
  // heard.
  now = ms(NOTICE) + 4 * MS_PER_CHARACTER;
  far.sendAudio(new Int16Array(160).map((_, i) => (i % 2 ? 10_000 : -10_000)));
  assert.deepEqual(interrupts, [{
    type: "interrupt",
    utteranceUntilInterrupt: "One ",
    durationUntilInterruptMs: 4 * MS_PER_CHARACTER,
  }]);
  assert.equal(clears, 1, "the interruption clears");
});
