// A Twilio call whose first `media` carries a readable but bogus `chunk`. A Twilio far end as its
// "Media Streams - WebSocket Messages" page shows it (twilio.com/docs/voice/media-streams/
// websocket-messages, "Media message"): a `start` whose `mediaFormat` is audio/x-mulaw at 8 kHz,
// then `media` messages of 20 ms whose `chunk` counts them from "1". The inbound fuzzer mutated the
// first media's chunk to a number that is well-formed but wrong ("250"): the reorder stage began
// its timeline there with no second opinion, and chunks 1 to 10, behind it by less than
// `maxGapMs`, were all dropped as late: the caller's first 200 ms never reached the bot.
import assert from "node:assert/strict";
import {
  levelledChunks as chunks,
  levelledMedia as media,
  levelledTwilioCall as twilioSession,
} from "./fixtures/twilio_levelled_call.ts";

Deno.test('`TwilioSerializer`: a first media with chunk "250", then chunks 1 to 10: all of 1 to 10 are heard', async () => {
  const { clock, client, transport, heard, decodeErrors, end } = await twilioSession();
  client.send(media(250));
  for (let chunk = 1; chunk <= 10; chunk++) client.send(media(chunk));
  await clock.tick(1);
  // Was: chunk 250 alone, chunks 1 to 10 dropped as late (inboundMediaLate 10).
  // Chunk 250's audio went out as it came (a first packet never waits); chunk 2 then said that
  // chunk 1, far behind it, was where the numbering stands: a new timeline from chunk 1.
  assert.deepEqual(heard(), [...chunks(250, 250), ...chunks(1, 10)]);
  assert.deepEqual(decodeErrors, []);
  assert.equal(transport.stats.inboundMediaLate, 0);
  assert.equal(transport.stats.inboundMediaResyncs, 1);
  assert.equal(transport.stats.inboundMediaGapsFilled, 0);
  await end();
});

Deno.test("`TwilioSerializer`: a call's first media is heard as soon as it is read, before any second one", async () => {
  const { clock, client, transport, heard, end } = await twilioSession();
  client.send(media(1));
  await clock.tick(1);
  assert.deepEqual(heard(), chunks(1, 1), "no second opinion is waited for");
  for (let chunk = 2; chunk <= 5; chunk++) client.send(media(chunk));
  await clock.tick(1);
  assert.deepEqual(heard(), chunks(1, 5));
  assert.equal(transport.stats.inboundMediaResyncs, 0);
  assert.equal(transport.stats.inboundMediaLate, 0);
  await end();
});
