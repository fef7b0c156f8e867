// The ConversationRelay far end refuses a bot's message whose settings are of the wrong kind, as
// the platform does. Twilio's "Getting and sending WebSocket messages"
// (twilio.com/docs/voice/conversationrelay/websocket-messages): "ConversationRelay validates the
// incoming messages that your application sends us. If validation fails then Twilio returns error
// 64107 [...] the message will not be processed" (an `error` message, "Error message"); the
// `play` message takes `interruptible` as the `text` message does (`none`, `dtmf`, `speech`,
// `any`, or a boolean: Twilio's changelog "New Features Now Available for ConversationRelay",
// 2025-04-01) and a `loop` that is a whole number ("Play media message": "Optional, integer
// value"; TwiML's `<Play>` "loop" allows "integer >= 0"), and the `language` message's
// `ttsLanguage` and `transcriptionLanguage` are language codes (strings).
import assert from "node:assert/strict";
import { ConversationRelayFarEnd } from "../../../src/simulator/far_ends/conversation_relay.ts";
import { farEndContext } from "./_context.ts";

/** What the far end answers `message` with: the violations it saw and the messages it sent. */
function answer(message: unknown) {
  const violations: string[] = [];
  const sent: Record<string, unknown>[] = [];
  let played = 0;
  const far = new ConversationRelayFarEnd({});
  far.open(farEndContext({
    violation: (rule, detail) => void violations.push(`${rule}: ${detail}`),
    send: (m) => void sent.push(JSON.parse(m as string)),
    play: (samples, times = 1) => void (played += samples.length * times),
  }));
  far.receive(JSON.stringify(message));
  return { violations, replies: sent.filter((m) => m.type !== "setup"), played };
}

Deno.test("ConversationRelay far end: a `play` whose `interruptible` is no setting is refused with `error`, not played", () => {
  const refused = answer({
    type: "play",
    source: "https://example.com/hold.mp3",
    interruptible: "sometimes",
  });
  assert.deepEqual(refused.violations, [
    "conversationrelay.invalid-message: play.interruptible is not none, dtmf, speech, any or a boolean",
  ]);
  assert.equal(refused.replies[0]?.type, "error");
  assert.equal(refused.played, 0, "not processed");
  for (const interruptible of ["none", "dtmf", "speech", "any", true, false]) {
    const taken = answer({ type: "play", source: "https://example.com/a.mp3", interruptible });
    assert.deepEqual(taken.violations, [], String(interruptible));
    assert.ok(taken.played > 0);
  }
});

Deno.test("ConversationRelay far end: a `language` whose codes are not strings is refused with `error`", () => {
  for (
    const message of [
      { type: "language", ttsLanguage: 5, transcriptionLanguage: "en-US" },
      { type: "language", ttsLanguage: "sv-SE", transcriptionLanguage: ["en-US"] },
    ]
  ) {
    const refused = answer(message);
    assert.equal(refused.violations.length, 1, JSON.stringify(message));
    assert.match(refused.violations[0]!, /language\.\w+Language is not a string/);
    assert.equal(refused.replies[0]?.type, "error");
  }
  assert.deepEqual(answer({ type: "language", ttsLanguage: "sv-SE" }).violations, []);
});

Deno.test("ConversationRelay far end: a `play` whose `loop` is negative or fractional is refused with `error`, not played", () => {
  for (const loop of [-1, 1.5]) {
    const refused = answer({ type: "play", source: "https://example.com/hold.mp3", loop });
    assert.deepEqual(refused.violations, [
      "conversationrelay.invalid-message: play.loop is not a whole number of times, 0 or more",
    ]);
    assert.equal(refused.replies[0]?.type, "error", `loop ${loop}: refused`);
    assert.equal(refused.played, 0, `loop ${loop}: not played`);
  }
});

// "Play media message": `source` is "Required. Must contain a valid URL." A relative path is no
// URL the platform can fetch: refused, where it used to be played as if the media had come.
Deno.test("ConversationRelay far end: a `play` whose `source` is no URL is refused with `error`, not played", () => {
  for (const source of ["hold.mp3", "/media/hold.mp3", ""]) {
    const refused = answer({ type: "play", source });
    assert.deepEqual(refused.violations, [
      "conversationrelay.invalid-message: play.source is not a URL",
    ], JSON.stringify(source));
    assert.equal(refused.replies[0]?.type, "error");
    assert.equal(refused.played, 0, `${JSON.stringify(source)}: not played`);
  }
  assert.deepEqual(answer({ type: "play", source: "https://example.com/hold.mp3" }).violations, []);
});

// "Send digits message": `digits` "Must only contain the characters 0-9, w, #, and *" (the pause
// of `<Play digits>`, lower case): an upper-case `W` is refused, where it used to be taken.
Deno.test("ConversationRelay far end: `sendDigits` takes 0-9, *, # and w, and refuses an upper-case W", () => {
  assert.deepEqual(answer({ type: "sendDigits", digits: "9www4085551212#*" }).violations, []);
  for (const digits of ["1W2", "12A", ""]) {
    const refused = answer({ type: "sendDigits", digits });
    assert.deepEqual(refused.violations, [
      "conversationrelay.invalid-message: sendDigits.digits is not a string of 0-9, *, # and w",
    ], digits);
    assert.equal(refused.replies[0]?.type, "error");
  }
});
