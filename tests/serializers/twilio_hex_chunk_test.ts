// A Twilio `media` whose `chunk` is no decimal number. A Twilio far end as its "Media Streams -
// WebSocket Messages" page shows it (twilio.com/docs/voice/media-streams/websocket-messages,
// "Media message"): a `start` whose `mediaFormat` is audio/x-mulaw at 8 kHz, then `media` messages
// of 20 ms whose `chunk` ("1", "2", …) and `timestamp` (ms from the stream's start) are strings of
// digits. The inbound fuzzer mangled one message's chunk to "0x10" (seed 303983), which `Number()`
// reads as 16: sent as the call's first media, it started the reorder stage's timeline at 16 and
// every real chunk after it, behind that by less than `maxGapMs`, was dropped as late. No Twilio
// message spells a number so: the message is a decode error, the session goes on, and the stage's
// timeline is the one the real chunks give.
import assert from "node:assert/strict";
import {
  levelledChunks as chunks,
  levelledMedia as media,
  levelledTwilioCall as twilioSession,
} from "./fixtures/twilio_levelled_call.ts";

/** Chunk `n`'s `media` message with its `chunk` spelled `spelled`, as the fuzzer mangled it. */
const mangled = (chunk: number, spelled: string) => {
  const message = JSON.parse(media(chunk));
  message.media.chunk = spelled;
  return JSON.stringify(message);
};

Deno.test('`TwilioSerializer`: a first media whose chunk is "0x10" is a decode error, and the real chunks after it are all heard', async () => {
  const { clock, client, transport, heard, decodeErrors, end } = await twilioSession();
  client.send(mangled(1, "0x10"));
  for (let chunk = 1; chunk <= 10; chunk++) client.send(media(chunk));
  await clock.tick(1);
  // Was: the timeline started at 16, chunks 1 to 10 were dropped as late, none was heard.
  assert.deepEqual(heard(), chunks(1, 10));
  assert.deepEqual(decodeErrors, ['Twilio: media.chunk is not a number: "0x10"']);
  assert.equal(transport.stats.decodeErrors, 1);
  assert.equal(transport.stats.inboundMediaLate, 0);
  assert.equal(transport.stats.inboundMediaGapsFilled, 0);
  assert.equal(transport.stats.inboundMediaResyncs, 0);
  await end();
});

Deno.test("`TwilioSerializer`: a chunk mid-call spelled as no decimal number moves nothing in the reorder stage", async () => {
  const { clock, client, transport, heard, decodeErrors, end } = await twilioSession();
  for (let chunk = 1; chunk <= 5; chunk++) client.send(media(chunk));
  // Each read by `Number()` as a chunk far ahead (16, 1000, 4096) or as chunk 6 itself.
  for (const spelled of ["0x10", "1e3", "0b1000000000000", " 6 ", "+6"]) {
    client.send(mangled(6, spelled));
  }
  for (let chunk = 6; chunk <= 20; chunk++) client.send(media(chunk));
  await clock.tick(1);
  assert.deepEqual(heard(), chunks(1, 20));
  assert.equal(decodeErrors.length, 5);
  assert.equal(transport.stats.decodeErrors, 5);
  assert.equal(transport.stats.inboundMediaLate, 0);
  assert.equal(transport.stats.inboundMediaGapsFilled, 0);
  assert.equal(transport.stats.inboundMediaResyncs, 0);
  await end();
});
