// With layout "separate" a reader may cancel one stream and read the other on (only the bot's
// side wanted, say): that one is the recording, and `stats.durationMs` says how much of it was
// written out. It read the caller's stream alone, and said 0 for a four-second bot recording.
import assert from "node:assert/strict";
import { call, collect, speech } from "./_call.ts";
import { count, parseWav, sampleOf } from "./_wav.ts";

const PER_MS = 16; // samples per ms at the recording's 16 kHz

Deno.test('`CallRecorder` with layout "separate" counts the stream read on after the other is cancelled', async () => {
  const c = call({ recorder: { layout: "separate" } });
  const caller = c.recorder.caller.getReader();
  const wav = collect(c.recorder.bot);
  c.mic.value = 5;
  await c.talk(1000);
  await caller.cancel(); // only the bot's side is wanted
  c.transport.send(speech(1000, 1, "r1"));
  await c.talk(3000);
  await c.hangUp();
  const bot = parseWav(await wav).samples[0]!;
  assert.equal(bot.length, 4000 * PER_MS, "the bot's stream: the whole call");
  assert.equal(count(bot, sampleOf(1)), 1000 * PER_MS, "with all of its reply");
  assert.equal(c.recorder.stats.durationMs, 4000, "as written out");
});
