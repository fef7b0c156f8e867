// A bot's PAUSE_MEDIA or CONTINUE_MEDIA that Asterisk refuses. docs.asterisk.org, Configuration →
// Channel Drivers → WebSocket: `PAUSE_MEDIA` plays silence and keeps the queue until
// `CONTINUE_MEDIA`; `SET_MEDIA_DIRECTION` (JSON control only) "in" drops the application's media,
// and START/STOP_MEDIA_BUFFERING, MARK_MEDIA, PAUSE_MEDIA and CONTINUE_MEDIA "will generate an
// error" while it holds. The far end is asteriskFarEnd (fixtures/asterisk_channel_playout.ts),
// from asterisk/asterisk channels/chan_websocket.c (926a1068), handle_command: PAUSE_MEDIA and
// CONTINUE_MEDIA set and clear `queue_paused` only past ERROR_ON_INVALID_MEDIA_DIRECTION_RTN, which
// answers with its ERROR and returns first, so a refused command leaves the queue as it was;
// FLUSH_MEDIA empties the queue and leaves `queue_paused` alone; SET_MEDIA_DIRECTION "in" stops
// the channel's timer, "both" starts it again. dequeue_frame, every 20 ms, plays nothing while
// `queue_paused`; read_from_ws_and_queue drops media while the direction is "in".
//
// The serializer took a refused CONTINUE_MEDIA as ending the pause: Asterisk stayed paused once
// the direction was "both" again, and the bot's interruption, taken as after no pause, sent no
// CONTINUE_MEDIA after its FLUSH_MEDIA, so the next reply was never heard.
import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { asteriskFarEnd } from "./fixtures/asterisk_channel_playout.ts";
import { level, narrowbandCall } from "./fixtures/narrowband_call.ts";
import { startedChannel } from "./fixtures/asterisk_refusing_channel.ts";

/** chan_websocket's ERROR event (JSON control) for `command` refused while the direction is "in". */
function refusal(command: string): string {
  const text = `${command} not supported while media direction is 'in'`;
  return JSON.stringify({ event: "ERROR", channel_id: "1.1", error_text: text });
}

const command = (name: string, direction?: string) => ({
  type: "message" as const,
  urgent: true,
  message: direction === undefined ? name : { command: name, direction },
});

for (const refused of ["CONTINUE_MEDIA", "PAUSE_MEDIA"]) {
  Deno.test(`\`AsteriskSerializer\` keeps the bot's pause through a ${refused} refused for the media direction "in": its interruption ends it, and the next reply plays`, async () => {
    const { clock, pair, transport } = narrowbandCall(new AsteriskSerializer());
    // A JSON-controlled μ-law channel, dialled with the direction "both".
    const log = asteriskFarEnd(clock, pair, { json: true, format: "ulaw", frameBytes: 160 });
    transport.receive(() => {});
    await clock.tick(10);
    transport.send({ type: "audio", audio: level(2000, 1000), sampleRate: 8000, channels: 1 });
    await clock.tick(300);
    transport.send(command("PAUSE_MEDIA"));
    transport.send(command("SET_MEDIA_DIRECTION", "in"));
    transport.send(command(refused));
    transport.send(command("SET_MEDIA_DIRECTION", "both"));
    await clock.tick(100);
    assert.deepEqual(log.refused, [refused]);
    // Asterisk is paused still. The caller talks; the bot cuts the reply and answers.
    await transport.interrupt();
    const playedBefore = log.played.length;
    transport.send({ type: "audio", audio: level(1000, 2000), sampleRate: 8000, channels: 1 });
    await clock.tick(1500);
    assert.ok(
      log.played.length - playedBefore >= 45,
      `${log.played.length - playedBefore} frames played`,
    );
    await transport.close();
  });
}

Deno.test("`AsteriskSerializer` has MEDIA_XON wait on CONTINUE_MEDIA under a pause a refused CONTINUE_MEDIA did not end", () => {
  const { asterisk } = startedChannel(true);
  pauseThenRefusedContinue(asterisk);
  const resume = { type: "message", message: "CONTINUE_MEDIA" } as const;
  assert.equal(asterisk.overtakesQueue(resume), false, "no XOFF: nothing waits on it");
  asterisk.deserialize(JSON.stringify({ event: "MEDIA_XOFF", channel_id: "1.1" }));
  // The XON waits on the bot's CONTINUE_MEDIA: it goes ahead of the audio held.
  assert.equal(asterisk.overtakesQueue(resume), true);
});

/** The bot's `SET_MEDIA_DIRECTION` (its parameter needs the JSON control format). */
function setDirection(asterisk: AsteriskSerializer, direction: "in" | "both"): void {
  asterisk.serialize({ type: "message", message: { command: "SET_MEDIA_DIRECTION", direction } });
}

/**
 * The bot pauses, sets the direction "in", sends `CONTINUE_MEDIA` (refused for that direction:
 * the pause holds) and sets the direction "both" again.
 */
function pauseThenRefusedContinue(asterisk: AsteriskSerializer): void {
  asterisk.serialize({ type: "message", message: "PAUSE_MEDIA" });
  setDirection(asterisk, "in");
  asterisk.serialize({ type: "message", message: "CONTINUE_MEDIA" });
  asterisk.deserialize(refusal("CONTINUE_MEDIA"));
  setDirection(asterisk, "both");
}

/** The commands an interruption sends, by name. */
function flushed(asterisk: AsteriskSerializer): string[] {
  const out = asterisk.serialize({ type: "interruption" }) as string[];
  return out.map((m) => JSON.parse(m).command);
}

Deno.test('`AsteriskSerializer` sends no CONTINUE_MEDIA after a flush while the media direction is "in" (it would be refused), and does once it is "both" again', () => {
  const { asterisk } = startedChannel(true);
  asterisk.serialize({ type: "message", message: "PAUSE_MEDIA" });
  setDirection(asterisk, "in");
  assert.deepEqual(flushed(asterisk), ["FLUSH_MEDIA"]);
  setDirection(asterisk, "both");
  assert.deepEqual(flushed(asterisk), ["FLUSH_MEDIA", "CONTINUE_MEDIA"]);
  assert.deepEqual(flushed(asterisk), ["FLUSH_MEDIA"]);
});

Deno.test("`AsteriskSerializer` takes a pause refused on a channel dialled d(in) as never held, its refusal come before or after the bot's SET_MEDIA_DIRECTION", () => {
  for (const refusalFirst of [true, false]) {
    const { asterisk } = startedChannel(true);
    // d(in): chan_websocket.c refuses the PAUSE_MEDIA at once; `queue_paused` stays 0.
    asterisk.serialize({ type: "message", message: "PAUSE_MEDIA" });
    if (refusalFirst) asterisk.deserialize(refusal("PAUSE_MEDIA"));
    setDirection(asterisk, "both");
    if (!refusalFirst) asterisk.deserialize(refusal("PAUSE_MEDIA"));
    assert.deepEqual(flushed(asterisk), ["FLUSH_MEDIA"], `refusal first: ${refusalFirst}`);
  }
});

Deno.test('`AsteriskSerializer` keeps a pause sent before the bot set the direction "in" through the refusal of a CONTINUE_MEDIA sent after', () => {
  const { asterisk } = startedChannel(true);
  // Dialled "both" (not to be seen): the PAUSE_MEDIA held; the CONTINUE_MEDIA is refused.
  pauseThenRefusedContinue(asterisk);
  assert.deepEqual(flushed(asterisk), ["FLUSH_MEDIA", "CONTINUE_MEDIA"]);
});

Deno.test("`AsteriskSerializer` tells a d(in) channel's refusal of the bot's first PAUSE_MEDIA from that of a CONTINUE_MEDIA it sent after setting the direction \"in\"", () => {
  const { asterisk } = startedChannel(true);
  // Dialled d(in): both commands are refused, in order; `queue_paused` is never set.
  asterisk.serialize({ type: "message", message: "PAUSE_MEDIA" });
  setDirection(asterisk, "in");
  asterisk.serialize({ type: "message", message: "CONTINUE_MEDIA" });
  asterisk.deserialize(refusal("PAUSE_MEDIA"));
  asterisk.deserialize(refusal("CONTINUE_MEDIA"));
  setDirection(asterisk, "both");
  assert.deepEqual(flushed(asterisk), ["FLUSH_MEDIA"]);
});
