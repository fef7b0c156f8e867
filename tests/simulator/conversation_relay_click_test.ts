// The ConversationRelay far end's recognizer is a talk-spurt detector (the call's threshold, its
// endpoint as hangover) told of each spurt as it starts and ends. It was told of a click too (one
// 10 ms block of sound: no utterance in the report, tests/simulator/talk_spurts_dc_test.ts), and
// of a spurt's start at a click before its sound, which the report no longer dates it from. Twilio
// sends its `interrupt` "when the caller interrupts TTS playback by speaking" and its `prompt`
// "when the caller says something" (Twilio Docs, ConversationRelay, "Getting and sending WebSocket
// messages": "Interrupt message", "Prompt message"): a lone click did both, the bot's speech cut
// short and a prompt sent for an utterance the report has not got.
import assert from "node:assert/strict";
import { ENDPOINT_MS } from "../../src/simulator/far_ends/conversation_relay.ts";
import { TalkSpurtDetector } from "../../src/simulator/_talk_spurts.ts";
import { handDrainedRelay, spokenMs, token } from "./far_ends/_relay_context.ts";

/** A click: one 10 ms block of a loud square wave, at 8 kHz. */
const click = () => new Int16Array(80).map((_, i) => (i % 2 ? 10_000 : -10_000));
/** Silence enough to end whatever sounded before it. */
function silence(c: ReturnType<typeof handDrainedRelay>): void {
  for (let ms = 0; ms <= ENDPOINT_MS + 40; ms += 20) c.far.sendAudio(new Int16Array(160));
}

Deno.test("ConversationRelay far end: a lone click neither interrupts the bot's speech nor is sent as a prompt", () => {
  const c = handDrainedRelay();
  c.bot(token("Your order has shipped and should arrive on Tuesday.", true));
  c.played(spokenMs("Your order "));
  c.far.sendAudio(click());
  silence(c);
  assert.deepEqual(c.interrupts(), []);
  assert.equal(c.clears(), 0, "the bot's speech plays on");
  assert.deepEqual(c.sent().filter((m) => m.type === "prompt"), []);
});

Deno.test("ConversationRelay far end: speech after a click is one prompt, and still interrupts", () => {
  const c = handDrainedRelay();
  c.bot(token("Your order has shipped and should arrive on Tuesday.", true));
  c.played(spokenMs("Your order "));
  c.far.sendAudio(click());
  c.far.sendAudio(new Int16Array(800)); // 100 ms of silence: the click is no onset of the speech
  c.speaks(); // 20 ms of loud sound, then silence enough to end it
  assert.equal(c.interrupts().length, 1);
  assert.deepEqual(
    c.sent().filter((m) => m.type === "prompt").map((m) => m.voicePrompt),
    ["utterance 1"],
  );
});

Deno.test("a detector's listener is told a spurt's start as the report has it, and of no click", () => {
  const changes: [string, number][] = [];
  const detector = new TalkSpurtDetector({
    sampleRate: 8000,
    thresholdDbfs: -45,
    hangoverMs: 250,
    originMs: 0,
    onChange: (change, atMs) => void changes.push([change, atMs]),
  });
  detector.push(new Int16Array(800)); // 0–100 ms
  detector.push(click()); // 100–110 ms: a lone click, 400 ms of silence after it
  detector.push(new Int16Array(3200));
  detector.push(click()); // 510–520 ms: a click 90 ms before the speech
  detector.push(new Int16Array(720));
  detector.push(new Int16Array(2400).map((_, i) => (i % 2 ? 10_000 : -10_000))); // 610–910 ms
  detector.push(new Int16Array(4000));
  detector.finish();
  assert.deepEqual(detector.spurts, [{ startMs: 610, endMs: 910 }]);
  assert.deepEqual(changes, [["start", 610], ["end", 910]]);
});
