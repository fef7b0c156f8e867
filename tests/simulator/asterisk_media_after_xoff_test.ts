// The simulated chan_websocket's flow control, against docs.asterisk.org, Configuration → Channel
// Drivers → WebSocket, "Max Message Size and Flow Control": at about 900 queued frames Asterisk
// sends MEDIA_XOFF; "The media the app sent just prior to receiving MEDIA_XOFF will be processed
// in its entirety … but any data the app sends after that will probably be dropped." Media that
// arrives after XOFF left may have left the bot before XOFF reached it (a round trip, and the
// bot's turn to read it): the simulator flagged any media a millisecond after XOFF, so a bot on a
// real clock that sent a burst ahead was blamed for what was on the wire when XOFF left. And a
// g722 channel (`c(g722)`): asterisk/asterisk main/codec_builtin.c (`sample_rate` 16000,
// `minimum_bytes` 80 per 10 ms) makes chan_websocket's `optimal_frame_size` 160 bytes.
import assert from "node:assert/strict";
import { AsteriskFarEnd, IN_FLIGHT_MS } from "../../src/simulator/far_ends/asterisk.ts";
import { G722Decoder, G722Encoder } from "../../src/audio/g722.ts";
import { farEndContext } from "./far_ends/_context.ts";

/** A far end's context whose clock the test moves, whose queue never drains, recording all. */
function queueThatHolds() {
  const clock = { now: 0 };
  let queuedMs = 0;
  const sent: string[] = [];
  const violations: string[] = [];
  const played: Int16Array[] = [];
  const context = farEndContext({
    now: () => clock.now,
    send: (message) => void (typeof message === "string" && sent.push(message)),
    play: (samples) => {
      played.push(samples);
      queuedMs += samples.length / 8;
    },
    queuedMs: () => queuedMs,
    violation: (rule) => void violations.push(rule),
  });
  return { context, clock, sent, violations, played };
}

/** `frames` 20 ms μ-law frames in one BINARY message. */
const ulaw = (frames: number) => new Uint8Array(160 * frames).fill(0xff);

Deno.test("AsteriskFarEnd takes media that arrives within a round trip of MEDIA_XOFF as in flight, and flags what comes later", () => {
  const { context, clock, sent, violations } = queueThatHolds();
  const asterisk = new AsteriskFarEnd({ encoding: "ulaw" });
  asterisk.open(context);
  // A bot 18 s ahead: 900 frames reach the XOFF level.
  for (let i = 0; i < 3; i++) asterisk.receive(ulaw(300));
  assert.ok(sent.includes("MEDIA_XOFF"));
  const xoffAt = clock.now;
  // The rest of its burst, already on the wire when XOFF left: it reaches the far end a few
  // milliseconds later on a real clock.
  clock.now = xoffAt + 3;
  asterisk.receive(ulaw(2));
  clock.now = xoffAt + IN_FLIGHT_MS;
  asterisk.receive(ulaw(2));
  assert.deepEqual(violations, [], "in flight when XOFF left: processed in its entirety");
  // A bot that sends on long after it could have read XOFF.
  clock.now = xoffAt + IN_FLIGHT_MS + 20;
  asterisk.receive(ulaw(2));
  assert.deepEqual(violations, ["asterisk.media-after-xoff"]);
});

Deno.test("AsteriskFarEnd carries a g722 channel: 160-byte frames both ways, one codec state a direction", () => {
  const { context, sent, played } = queueThatHolds();
  const wire: Uint8Array[] = [];
  context.send = (message) =>
    void (typeof message === "string" ? sent.push(message) : wire.push(message.slice()));
  const asterisk = new AsteriskFarEnd({ encoding: "g722" });
  assert.equal(asterisk.caller.sampleRate, 16000);
  assert.equal(asterisk.playbackRate, 16000);
  asterisk.open(context);
  assert.match(sent[0]!, /^MEDIA_START .* format:g722 optimal_frame_size:160 ptime:20$/);
  // The caller: 20 ms of 16 kHz audio a message, coded as one stream.
  const caller = new Int16Array(640).map((_, i) => Math.round(8000 * Math.sin(i / 5)));
  asterisk.sendAudio(caller.subarray(0, 320));
  asterisk.sendAudio(caller.subarray(320));
  assert.deepEqual(wire.map((m) => m.length), [160, 160]);
  assert.deepEqual([...wire[0]!, ...wire[1]!], [...new G722Encoder().encode(caller)]);
  // The bot: two frames in one message, played as the codec decodes them.
  const bot = new G722Encoder().encode(caller);
  asterisk.receive(bot);
  assert.deepEqual(played, [new G722Decoder().decode(bot)]);
});
