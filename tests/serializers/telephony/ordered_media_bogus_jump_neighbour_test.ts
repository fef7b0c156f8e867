// A lone bogus number mid-stream, by timestamp (the caller's track of a both-tracks stream: Twilio's
// "Media Streams - WebSocket Messages" shows one `chunk` counter across both tracks, so the caller's
// chunks go up by two and the stamp orders them), costs only itself: the packet in step that shows
// it bogus goes out, and so does every real packet after it, each in its place, even where the
// bogus stamp claimed one of their places. README: "an absurd number ... costs only itself, never
// the packets after it".
import assert from "node:assert/strict";
import { levelledPayload, placeAndLengthOf } from "../fixtures/levelled_packets.ts";
import { boundStage, STAMP_EPOCH_MS } from "./_ordered_media_stage.ts";

Deno.test("`OrderedMedia` by timestamp hears every real packet in its place after a bogus chunk stamped 91 ms ahead, its place claimed by no real packet", () => {
  const { ordered, counts } = boundStage({ orderBy: "timestamp" });
  const out: string[] = [];
  const send = (packet: number, chunk: number, stampMs: number) =>
    out.push(
      ...ordered.push({
        sequence: chunk,
        timestampMs: STAMP_EPOCH_MS + stampMs,
        payload: levelledPayload(packet),
      }).map(placeAndLengthOf),
    );
  // Packets 0-3 in step (chunks 4-10, stamps exact); then chunk 161 stamped 171 ms, a jump beyond
  // the 60 ms window that waits for a second packet; then packets 4-11 in step, the first of them
  // showing the jump bogus (dropped, counted late). Packet 9's place (180 ms) lies within a packet
  // of the bogus stamp. Was: the packet that showed the jump bogus was read as not dropped, kept
  // as the bogus place's neighbour, and packet 9 was set a packet behind its place and dropped
  // ("180:-(11)" then packets 10 and 11 held to the stream's end, 9 ms early).
  for (let n = 0; n < 4; n++) send(n, 4 + 2 * n, 20 * n);
  send(97, 161, 171);
  for (let n = 4; n < 12; n++) send(n, 4 + 2 * n, 20 * n);
  assert.deepEqual(
    out,
    Array.from({ length: 12 }, (_, n) => `${20 * n}:${n}`),
    "each real packet out as it comes, in its place",
  );
  assert.deepEqual(ordered.flush().map(placeAndLengthOf), []);
  assert.equal(counts.inboundMediaLate, 1);
  assert.equal(counts.inboundMediaDuplicates, undefined);
  assert.equal(counts.inboundMediaGapsFilled, undefined);
});
