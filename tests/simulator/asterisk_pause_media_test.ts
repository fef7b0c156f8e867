// The simulated chan_websocket's PAUSE_MEDIA, CONTINUE_MEDIA and SET_MEDIA_DIRECTION, against
// docs.asterisk.org, Configuration → Channel Drivers → WebSocket, "Commands" (`PAUSE_MEDIA`: "The
// channel driver will then start playing silence to the caller but keep the data you've already
// sent in the queue. You can still send media … it'll just get queued behind whatever was already
// in the queue"; `CONTINUE_MEDIA`; `SET_MEDIA_DIRECTION`: "If direction is "in", Asterisk will drop
// any media it receives from the application. If direction is "out", Asterisk will not send any
// media to the application", and the five commands that "generate an error" under "in") and
// asterisk/asterisk channels/chan_websocket.c (f0c1c1a7): `dequeue_frame` returns before its XON
// check, its mark answers and its QUEUE_DRAINED while `queue_paused`; FLUSH_MEDIA leaves
// `queue_paused` set (the docs say a flush "resets the paused state"); `handle_command` refuses
// with `ERROR <command> not supported while media direction is 'in'` before touching anything.
// The far end noted these commands and played on.
import assert from "node:assert/strict";
import {
  type AsteriskControlFormat,
  AsteriskFarEnd,
} from "../../src/simulator/far_ends/asterisk.ts";
import type { MarkOnClear } from "../../src/simulator/far_end.ts";
import type { TransportError } from "../../src/errors.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { farEndContext } from "./far_ends/_context.ts";

/**
 * A μ-law call's speaker at 8 kHz, moved 20 ms a step, the caller's frame sent at each step as
 * the simulator sends it: it plays what it is given at once, answers marks as their audio plays
 * (or at a clear, as `onClear` says), and counts the marks as the report does.
 */
function call(controlFormat: AsteriskControlFormat = "plain-text") {
  let now = 0;
  let queued = 0;
  let playedMs = 0;
  let due: Array<{ at: number; onClear: MarkOnClear; ack: () => void; counted: boolean }> = [];
  const sent: Array<[number, string]> = [];
  const callerFrames: number[] = [];
  const violations: string[] = [];
  const marks = { requested: 0, played: 0, dropped: 0 };
  const whenPlayed = (onClear: MarkOnClear, ack: () => void, counted = false) => {
    if (queued === 0) ack();
    else due.push({ at: now + queued, onClear, ack, counted });
  };
  const context = farEndContext({
    now: () => now,
    send: (message) => {
      if (typeof message === "string") sent.push([now, message]);
      else callerFrames.push(now);
    },
    violation: (rule) => void violations.push(rule),
    play: (samples) => void (queued += samples.length / 8),
    queuedMs: () => queued,
    mark: (_name, onClear, ack) => {
      marks.requested++;
      whenPlayed(onClear, () => {
        marks.played++;
        ack();
      }, true);
    },
    whenPlayed,
    markRequested: () => void marks.requested++,
    markSettled: (_name, outcome) => void (outcome === "played" ? marks.played++ : marks.dropped++),
    clear: () => {
      queued = 0;
      const cleared = due;
      due = [];
      for (const mark of cleared) {
        if (mark.onClear === "ack") mark.ack();
        else if (mark.counted) marks.dropped++;
      }
    },
  });
  const asterisk = new AsteriskFarEnd({ encoding: "ulaw" }, { controlFormat });
  asterisk.open(context);
  const advance = (ms: number) => {
    for (let step = 0; step < ms; step += 20) {
      now += 20;
      const playing = Math.min(20, queued);
      playedMs += playing;
      queued -= playing;
      const answered = due.filter(({ at }) => at <= now);
      due = due.filter(({ at }) => at > now);
      for (const { ack } of answered) ack();
      asterisk.sendAudio(new Int16Array(160));
    }
  };
  const command = (text: string, fields: Record<string, string> = {}) =>
    asterisk.receive(
      controlFormat === "json" ? JSON.stringify({ command: text, ...fields }) : text,
    );
  return {
    asterisk,
    advance,
    command,
    sent,
    callerFrames,
    violations,
    marks,
    /** The events sent, without the time, MEDIA_START left out. */
    events: () => sent.map(([, text]) => text).filter((text) => !text.includes("MEDIA_START")),
    playedMs: () => playedMs,
  };
}

/** `frames` 20 ms μ-law frames in one BINARY message. */
const ulaw = (frames: number) => new Uint8Array(160 * frames).fill(0x80);

Deno.test("AsteriskFarEnd holds its queue from PAUSE_MEDIA: silence plays, media and marks wait behind, CONTINUE_MEDIA plays them on in order", () => {
  const { asterisk, advance, command, events, marks, playedMs } = call();
  command("PAUSE_MEDIA");
  asterisk.receive(ulaw(5));
  command("MARK_MEDIA m1");
  asterisk.receive(ulaw(5));
  advance(400);
  assert.equal(playedMs(), 0, "the caller hears silence");
  assert.deepEqual(events(), [], "no mark answered while paused");
  command("GET_STATUS");
  assert.match(events().at(-1)!, /^STATUS .*queue_length:10 .*media_paused:true$/);
  command("CONTINUE_MEDIA");
  advance(100);
  assert.equal(playedMs(), 100);
  assert.deepEqual(
    events().slice(1),
    ["MEDIA_MARK_PROCESSED m1"],
    "once the audio before it played",
  );
  advance(100);
  assert.equal(playedMs(), 200);
  assert.deepEqual(marks, { requested: 1, played: 1, dropped: 0 });
});

Deno.test("AsteriskFarEnd under PAUSE_MEDIA sends no MEDIA_XON before CONTINUE_MEDIA, and drops a message that finds 1,000 frames queued", () => {
  const { asterisk, advance, command, sent, violations, playedMs } = call();
  command("PAUSE_MEDIA");
  for (let i = 0; i < 3; i++) asterisk.receive(ulaw(300)); // 900 frames: the XOFF level
  assert.deepEqual(sent.map(([, text]) => text).slice(1), ["MEDIA_XOFF"]);
  advance(6000); // time enough to play the queue under its XON level, were it playing
  assert.ok(!sent.some(([, text]) => text === "MEDIA_XON"), "the pause holds the XON back");
  assert.equal(playedMs(), 0);
  // A bot that sends on, past the XOFF and its media in flight: chan_websocket.c
  // process_binary_message queues a message that finds fewer than 1,000 frames whole (1,050
  // then), and drops the next whole.
  asterisk.receive(ulaw(150));
  asterisk.receive(ulaw(150));
  assert.deepEqual(violations, [
    "asterisk.media-after-xoff",
    "asterisk.media-after-xoff",
    "asterisk.queue-full",
  ]);
  command("CONTINUE_MEDIA");
  const continuedAt = 6000;
  advance(6000);
  // 1,050 frames queued: under 800 after 251 have played.
  const xon = sent.find(([, text]) => text === "MEDIA_XON");
  assert.equal(xon?.[0], continuedAt + 251 * 20);
  assert.equal(playedMs(), 6000);
  advance(20_000);
  assert.equal(playedMs(), 1050 * 20, "all that was queued played");
});

Deno.test("AsteriskFarEnd looks at its 1,000-frame bound once a message, as chan_websocket.c does: a bulk transfer's leftover outlives a message dropped", () => {
  const { asterisk, advance, command, violations, playedMs } = call();
  command("PAUSE_MEDIA");
  command("START_MEDIA_BUFFERING");
  asterisk.receive(ulaw(400));
  asterisk.receive(ulaw(400));
  asterisk.receive(new Uint8Array(160 * 199 + 100).fill(0x80)); // 999 frames, and 100 bytes over
  asterisk.receive(ulaw(3)); // found 999: queued whole, 1,002 then (100 bytes over still)
  assert.deepEqual(violations, []);
  asterisk.receive(new Uint8Array(60).fill(0x80)); // found 1,002: dropped, the 100 bytes kept
  assert.deepEqual(violations, ["asterisk.queue-full"]);
  command("STOP_MEDIA_BUFFERING b1"); // the leftover, padded to a frame, queued past the bound
  command("CONTINUE_MEDIA");
  advance(30_000);
  assert.equal(playedMs(), 1003 * 20);
});

Deno.test("AsteriskFarEnd: FLUSH_MEDIA empties a paused queue, its marks dropped, and the pause holds (chan_websocket.c; the docs say a flush ends it)", () => {
  const { asterisk, advance, command, events, marks, playedMs } = call();
  command("PAUSE_MEDIA");
  asterisk.receive(ulaw(5));
  command("MARK_MEDIA before");
  command("FLUSH_MEDIA");
  assert.deepEqual(marks, { requested: 1, played: 0, dropped: 1 });
  asterisk.receive(ulaw(5));
  command("MARK_MEDIA after");
  advance(200);
  assert.equal(playedMs(), 0, "the next reply waits behind the pause");
  command("CONTINUE_MEDIA");
  advance(200);
  assert.equal(playedMs(), 100);
  assert.deepEqual(events(), ["MEDIA_MARK_PROCESSED after"]);
  assert.deepEqual(marks, { requested: 2, played: 1, dropped: 1 });
});

Deno.test("AsteriskFarEnd: a flush drops the held marks released to the speaker and not played yet", () => {
  const { asterisk, advance, command, events, marks } = call();
  command("PAUSE_MEDIA");
  asterisk.receive(ulaw(5));
  command("MARK_MEDIA m1");
  command("CONTINUE_MEDIA");
  advance(40);
  command("FLUSH_MEDIA");
  advance(200);
  assert.deepEqual(events(), []);
  assert.deepEqual(marks, { requested: 1, played: 0, dropped: 1 });
});

Deno.test("AsteriskFarEnd sends no QUEUE_DRAINED while paused: the queue is found dry once it plays again", () => {
  const { asterisk, advance, command, events } = call();
  command("PAUSE_MEDIA");
  command("REPORT_QUEUE_DRAINED");
  advance(200);
  assert.deepEqual(events(), [], "an empty paused queue is not looked at");
  asterisk.receive(ulaw(5));
  command("CONTINUE_MEDIA");
  advance(80);
  assert.deepEqual(events(), []);
  advance(40);
  assert.deepEqual(events(), ["QUEUE_DRAINED"]);
});

Deno.test('AsteriskFarEnd with the media direction "in" refuses the buffering, mark and pause commands with an ERROR naming it, drops media, and holds the queue', () => {
  const { asterisk, advance, command, events, sent, violations, playedMs } = call("json");
  command("PAUSE_MEDIA");
  asterisk.receive(ulaw(5));
  command("SET_MEDIA_DIRECTION", { direction: "in" });
  const refused = [
    "START_MEDIA_BUFFERING",
    "STOP_MEDIA_BUFFERING",
    "MARK_MEDIA",
    "PAUSE_MEDIA",
    "CONTINUE_MEDIA",
  ];
  for (const name of refused) command(name);
  assert.deepEqual(
    events().map((text) => JSON.parse(text).error_text),
    refused.map((name) => `${name} not supported while media direction is 'in'`),
  );
  assert.deepEqual(violations, refused.map(() => "asterisk.direction-in-command"));
  // Our serializer, written apart from this far end, reads them as the refusals they are.
  const reported: TransportError[] = [];
  let counted = 0;
  const serializer = new AsteriskSerializer();
  serializer.bind({
    send: () => {},
    count: (_counter, amount = 1) => void (counted += amount),
    report: (error) => void reported.push(error),
  });
  serializer.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  for (const [, text] of sent) serializer.deserialize(text);
  assert.deepEqual(reported.map((error) => error.code), ["protocol"]);
  assert.match(reported[0]!.message, /the channel's media direction is "in"/);
  assert.equal(counted, refused.length - 1, "the rest counted");
  asterisk.receive(ulaw(5));
  assert.equal(violations.at(-1), "asterisk.direction-in-media");
  command("GET_STATUS");
  const status = JSON.parse(events().at(-1)!);
  assert.equal(status.queue_length, 5, "the media sent under 'in' never reached the queue");
  assert.equal(status.media_paused, true, "the refused CONTINUE_MEDIA left the pause");
  // Back to "both": the pause the refused CONTINUE_MEDIA could not end still holds.
  command("SET_MEDIA_DIRECTION", { direction: "both" });
  advance(200);
  assert.equal(playedMs(), 0);
  command("CONTINUE_MEDIA");
  advance(200);
  assert.equal(playedMs(), 100);
});

Deno.test("AsteriskFarEnd with the media direction \"out\" sends the bot none of the caller's audio, and plays the bot's", () => {
  const { asterisk, advance, command, callerFrames, events, playedMs } = call("json");
  advance(40);
  assert.equal(callerFrames.length, 2);
  command("SET_MEDIA_DIRECTION", { direction: "out" });
  asterisk.receive(ulaw(5));
  advance(200);
  assert.equal(callerFrames.length, 2, "no caller audio while the direction is 'out'");
  assert.equal(playedMs(), 100);
  command("SET_MEDIA_DIRECTION", { direction: "both" });
  advance(40);
  assert.equal(callerFrames.length, 4);
  assert.deepEqual(events(), []);
});

Deno.test("AsteriskFarEnd answers a SET_MEDIA_DIRECTION without a valid direction with ERROR, as chan_websocket.c does", () => {
  const { command, events, violations } = call("json");
  command("SET_MEDIA_DIRECTION");
  command("SET_MEDIA_DIRECTION", { direction: "sideways" });
  assert.deepEqual(events().map((text) => JSON.parse(text).error_text), [
    // handle_command's texts for SET_MEDIA_DIRECTION end in ".\n" (asterisk_text_bytes_test.ts).
    "SET_MEDIA_DIRECTION requires a 'direction' parameter.\n",
    "'sideways' is not a valid direction for SET_MEDIA_DIRECTION.\n",
  ]);
  assert.deepEqual(violations, ["asterisk.bad-direction", "asterisk.bad-direction"]);
});
