// A jump in the caller's media, then a stall, mid-call. A Twilio far end as its "Media Streams -
// WebSocket Messages" page shows it (twilio.com/docs/voice/media-streams/websocket-messages): a
// `start` whose `mediaFormat` is audio/x-mulaw at 8 kHz, then `media` messages of 20 ms, `chunk`
// counting them ("1", "2", …) and `timestamp` in ms from the stream's start. Chunks 11 to 15 are
// lost before they reach the socket (100 ms of the caller's speech), chunk 16 comes, and then
// nothing for 300 ms: the socket is TCP, and a stalled connection (a retransmission waits at least
// 200 ms) delivers what it held in a burst after. Chunk 16 is a jump beyond the reorder window,
// waiting for a second chunk to confirm it, when the wall-time bound on held media (four windows,
// 240 ms) gives up what waits; the burst's chunk 17 then confirms the loss. The jump must wait on
// for it: dropped at the bound, chunk 16's 20 ms of speech were lost and filled with silence.
import assert from "node:assert/strict";
import {
  levelledChunks as chunks,
  levelledMedia as media,
  levelledTwilioCall as twilioSession,
} from "./fixtures/twilio_levelled_call.ts";

Deno.test("`TwilioSerializer` keeps the chunk after a loss of five across a 300 ms stall: the burst after it confirms the loss, and only the lost chunks become silence", async () => {
  const { clock, client, transport, heard, end } = await twilioSession();
  for (let chunk = 1; chunk <= 10; chunk++) client.send(media(chunk));
  client.send(media(16)); // 11 to 15 lost: 80 ms past where 11 starts, beyond the 60 ms window
  await clock.tick(1);
  assert.equal(heard().length, 10, "chunk 16 waits for a second chunk");
  await clock.tick(300); // the stall: the wall-time bound (240 ms) passes
  for (let chunk = 17; chunk <= 25; chunk++) client.send(media(chunk));
  await clock.tick(1);
  // Was: chunks 1 to 10, 120 ms of silence (chunk 16's place too, in two frames), chunks 17 to
  // 25, and chunk 16 counted late.
  assert.deepEqual(heard(), [
    ...chunks(1, 10),
    { ms: 100, levels: [0] },
    ...chunks(16, 25),
  ]);
  assert.equal(transport.stats.inboundMediaLate, 0);
  assert.equal(transport.stats.inboundMediaGapsFilled, 1);
  assert.equal(transport.stats.inboundMediaGapMs, 100);
  await end();
});

Deno.test("`TwilioSerializer` drops a bogus chunk number across a 300 ms stall and loses none of the chunks after it", async () => {
  // The other way to end the wait at the bound, taking the jump with its hole filled, would put
  // 1 s of silence for a loss that never was and move the timeline past chunks 11 to 60, all
  // then dropped as late: a second of the caller's speech.
  const { clock, client, transport, heard, end } = await twilioSession();
  for (let chunk = 1; chunk <= 10; chunk++) client.send(media(chunk));
  client.send(media(61)); // a bogus number, a second ahead: waiting for a second opinion
  await clock.tick(300);
  for (let chunk = 11; chunk <= 25; chunk++) client.send(media(chunk));
  await clock.tick(1);
  assert.deepEqual(heard(), chunks(1, 25));
  assert.equal(transport.stats.inboundMediaLate, 1, "the bogus chunk");
  assert.equal(transport.stats.inboundMediaGapsFilled, 0);
  await end();
});
