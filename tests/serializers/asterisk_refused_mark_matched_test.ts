// Which mark a media-direction refusal tells of, when the direction goes "in" and back to "both"
// while marks are in flight. chan_websocket.c (asterisk f0c1c1a7, August 2026), `handle_command`:
// commands are read in the order sent; a MARK_MEDIA / STOP_MEDIA_BUFFERING while the direction
// is "in" is answered at once with `ERROR … not supported while media direction is 'in'`
// (ERROR_ON_INVALID_MEDIA_DIRECTION_RTN, no correlation id); one sent while it is "both" is
// queued (`queue_option_frame`) and answered only when the channel's timer dequeues it, and
// SET_MEDIA_DIRECTION "in" stops that timer without discarding the queue, "both" starts it again
// (docs.asterisk.org, Configuration → Channel Drivers → WebSocket, `SET_MEDIA_DIRECTION`). So a
// mark sent before "in" and one sent after "both" are both answered, later than the refusal of
// the one sent between: the refusal is that one's, and it must not be counted a second time when
// it is given up past 64 pending marks.
import assert from "node:assert/strict";
import { PLAYOUT_MARK_PREFIX } from "../../src/playback.ts";
import { startedChannel } from "./fixtures/asterisk_refusing_channel.ts";

const refusal = JSON.stringify({
  event: "ERROR",
  channel_id: "1.1",
  error_text: "MARK_MEDIA not supported while media direction is 'in'",
});
const processed = (id: string) =>
  JSON.stringify({ event: "MEDIA_MARK_PROCESSED", channel_id: "1.1", correlation_id: id });
const direction = (to: string) => ({
  type: "message" as const,
  message: { command: "SET_MEDIA_DIRECTION", direction: to },
});

for (
  const [who, after] of [
    ["a bot's", "after"],
    ["the transport's", `${PLAYOUT_MARK_PREFIX}after`],
  ] as const
) {
  Deno.test(`\`AsteriskSerializer\` counts a mark refused between SET_MEDIA_DIRECTION "in" and "both" once, when ${who} mark sent after "both" is answered`, () => {
    const { asterisk, reported, counted } = startedChannel(true); // JSON control: MARK_MEDIA marks
    asterisk.serialize({ type: "mark", name: "before" }); // queued, answered once "both" again
    asterisk.serialize(direction("in"));
    asterisk.serialize({ type: "mark", name: "refused" }); // refused at once
    asterisk.serialize(direction("both"));
    asterisk.serialize({ type: "mark", name: after }); // queued
    // What the channel writes back, in order: the refusal, then the two queued marks' answers.
    assert.equal(asterisk.deserialize(refusal), null);
    assert.deepEqual(asterisk.deserialize(processed("before")), { type: "mark", name: "before" });
    assert.deepEqual(asterisk.deserialize(processed(after)), { type: "mark", name: after });
    assert.equal(reported.length, 1); // the refusal, what "in" means
    // 64 marks more, not yet answered: "refused" is given up, its refusal having told of it.
    for (let i = 0; i < 64; i++) asterisk.serialize({ type: "mark", name: `m${i}` });
    assert.equal(reported.length, 1, reported.map((e) => e.message).join(" | "));
    assert.equal(counted.encodeErrors ?? 0, 0);
  });
}

Deno.test("`AsteriskSerializer` on a channel dialled d(in) matches each refusal to a mark sent before the first SET_MEDIA_DIRECTION", () => {
  const { asterisk, reported, counted } = startedChannel(true);
  // d(in): every mark command is refused until "both" (chan_websocket.c webchan_call, `d` option).
  asterisk.serialize({ type: "mark", name: "r1" });
  asterisk.serialize({ type: "mark", name: "r2" });
  asterisk.deserialize(refusal);
  asterisk.serialize(direction("both"));
  asterisk.serialize({ type: "mark", name: "after" });
  asterisk.deserialize(refusal); // r2's, come late
  assert.deepEqual(asterisk.deserialize(processed("after")), { type: "mark", name: "after" });
  for (let i = 0; i < 64; i++) asterisk.serialize({ type: "mark", name: `m${i}` });
  // r1 and r2 given up: the first refusal reported, the second counted, neither counted again.
  assert.equal(reported.length, 1, reported.map((e) => e.message).join(" | "));
  assert.equal(counted.encodeErrors ?? 0, 1);
});

Deno.test("`AsteriskSerializer` takes the refusal of a flush's confirmation mark as that mark's, not a later mark's", () => {
  const { asterisk, reported, counted } = startedChannel(true);
  asterisk.serialize(direction("in"));
  asterisk.serialize({ type: "mark", name: "refused" }); // refused at once
  // FLUSH_MEDIA is taken while the direction is "in" (chan_websocket.c checks only passthrough
  // for it); the MARK_MEDIA after it that would confirm it is refused.
  assert.equal((asterisk.serialize({ type: "interruption" }) as string[]).length, 2);
  asterisk.serialize(direction("both"));
  asterisk.serialize({ type: "mark", name: "after" }); // queued
  asterisk.deserialize(refusal); // "refused"'s
  asterisk.deserialize(refusal); // the confirmation's
  assert.deepEqual(asterisk.deserialize(processed("after")), { type: "mark", name: "after" });
  // 16 flushes more, not yet confirmed: the first, holding "refused", is given up.
  for (let i = 0; i < 16; i++) {
    asterisk.serialize({ type: "mark", name: `m${i}` });
    asterisk.serialize({ type: "interruption" });
  }
  assert.equal(reported.length, 1, reported.map((e) => e.message).join(" | "));
  assert.equal(counted.encodeErrors ?? 0, 1); // the second refusal, counted as a refusal
});
