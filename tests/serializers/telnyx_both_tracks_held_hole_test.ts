// A stream of both tracks, from Telnyx's docs (fixtures/telnyx_both_tracks_call.ts). Here the
// caller's second packet overtakes the bot's first: the serializer, still ordering by chunk, holds
// it behind a hole when the bot's track first shows. Whether that hole is the other track's chunk
// (one counter for both) or a lost caller packet (a counter per track), the caller's media times
// tell.
import assert from "node:assert/strict";
import { startedTelnyxBothTracks } from "./fixtures/telnyx_both_tracks_call.ts";

function started() {
  const { send, audio, counted } = startedTelnyxBothTracks();
  const heard = () => {
    const frames = audio();
    return {
      ms: frames.reduce((sum, frame) => sum + frame.audio.length / 2 / 8, 0),
      times: frames.map((frame) => frame.timestampMs!),
    };
  };
  return { send, heard, counted };
}

Deno.test("`TelnyxSerializer`: the caller's packet held behind the bot's first chunk (one counter for both tracks) comes out with no silence added", () => {
  const { send, heard, counted } = started();
  send("inbound", 1, 5);
  send("inbound", 3, 25); // overtook the bot's chunk 2: held behind it
  send("outbound", 2, 5); // the bot's track shows: from here, by media time
  for (let packet = 2; packet < 10; packet++) {
    send("outbound", 2 * packet + 2, 5 + packet * 20);
    send("inbound", 2 * packet + 1, 5 + packet * 20);
  }
  const { ms, times } = heard();
  // Was: 220 ms, 20 ms of silence for the bot's chunk 2 counted a lost caller packet.
  assert.equal(ms, 200, "the caller's 10 packets, nothing added");
  assert.deepEqual(times, Array.from({ length: 10 }, (_, packet) => packet * 20));
  assert.equal(counted.inboundMediaGapsFilled, undefined);
});

Deno.test("`TelnyxSerializer`: a caller's packet lost behind the hole the bot's first chunk ends (a counter per track) is filled as its 20 ms", () => {
  const { send, heard, counted } = started();
  send("inbound", 1, 5);
  send("inbound", 3, 45); // chunk 2, at 25, is lost
  send("outbound", 1, 5);
  for (let packet = 3; packet < 10; packet++) {
    send("outbound", packet - 1, 5 + (packet - 2) * 20);
    send("inbound", packet + 1, 5 + packet * 20);
  }
  const { ms, times } = heard();
  assert.equal(ms, 200, "9 packets and the lost one's silence");
  assert.deepEqual(times, Array.from({ length: 10 }, (_, packet) => packet * 20));
  assert.equal(counted.inboundMediaGapsFilled, 1);
  assert.equal(counted.inboundMediaGapMs, 20);
});
