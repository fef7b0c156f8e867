// How late the bot's audio may come after Genesys's `close` and still be a straggler (sent before
// the bot read the `close`): within the round trip and 1 s (genesys_audio_at_close_test.ts). The
// round trip was only the longest ping/pong measured, 0 when no pong had come: on a slow network,
// a caller hanging up before the first pong (its ping goes 1 s after `opened`) blamed the bot
// for audio it sent before it could know. But a bot answers a ping as it reads it (AudioHook
// protocol: the server answers each `ping` with a `pong`; the reference client,
// purecloudlabs/audiohook-reference-implementation clientsessionimpl.ts, allows it the ping
// interval, 5 s, before its "Timeout waiting for pong"), and the WebSocket keeps the order: what
// comes before the pong of a ping sent before the `close` left the bot before it read the `close`.
// The age of a ping still unanswered counts as a round trip, up to that 5 s. And only the caller's
// `close` of an open session has audio in flight: in a session never opened, what comes while it
// closes is audio before `opened`; after the bot's own `disconnect`, all that comes was sent
// after it (the WebSocket keeps the order), by a bot that knew the call was over.
import assert from "node:assert/strict";
import { syntheticCaller } from "../../src/simulator/mod.ts";
import { callAudioHookBot } from "./_audiohook_bot.ts";
import { type AudioHookSession, openAudioHookSession } from "./_audiohook_session.ts";

const STRAGGLER = "genesys audio in flight at close, not played";

/** An opened session, its first ping sent at 1,000 ms and unanswered, the `close` sent at 3,000. */
async function closingWithAPingOut() {
  const session = openAudioHookSession();
  session.server("opened", { parameters: { media: [] } });
  await session.clock.tick(1000);
  const ping = session.sent.at(-1)!;
  assert.equal(ping.type, "ping");
  await session.clock.tick(2000);
  const hungUp = session.farEnd.hangUp();
  assert.equal(session.sent.at(-1)!.type, "close");
  return { ...session, ping, hungUp };
}

Deno.test("the Genesys far end takes audio that comes before the pong of a ping sent before its close as in flight", async () => {
  const { farEnd, clock, rules, notes, server, ping, hungUp } = await closingWithAPingOut();
  // A 3.5 s round trip: the audio the bot sent before it read the ping comes 1.2 s after the
  // `close` (the ping 3.2 s old), the pong at 4.5 s, then more audio, then `closed`.
  await clock.tick(1200);
  farEnd.receive(new Uint8Array(1600));
  await clock.tick(300);
  server("pong", { clientseq: ping.seq });
  await clock.tick(100);
  farEnd.receive(new Uint8Array(1600));
  server("closed");
  await hungUp;
  assert.deepEqual(rules, []);
  assert.deepEqual(notes, [STRAGGLER, STRAGGLER]);
});

Deno.test("the Genesys far end counts an unanswered ping as a round trip up to the ping interval, 5 s", async () => {
  const { farEnd, clock, rules, notes, server, hungUp } = await closingWithAPingOut();
  // A bot that never answers: 5 s of round trip and 1 s at most, however old the ping.
  await clock.tick(5900);
  farEnd.receive(new Uint8Array(1600));
  await clock.tick(200);
  farEnd.receive(new Uint8Array(1600));
  server("closed");
  await hungUp;
  assert.deepEqual(notes, [STRAGGLER]);
  assert.deepEqual(rules, [
    'genesys.audio-out-of-session: 1600 bytes of audio 6100 ms after "close", past the 6000 ms ' +
    "audio in flight takes (round trip 5000 ms + 1000 ms)",
  ]);
});

// Before the first ping (1 s after `opened`) no ping has measured a round trip, and the window was
// 0 ms + 1 s: a caller hanging up in the first second blamed a bot on a slow link. The open
// transaction is a round trip too (AudioHook protocol: the client sends `open` and waits for the
// server's `opened`, 5 s at most; reference client, clientsessionimpl.ts), so it counts as the
// first measured, capped at the ping interval as an unanswered ping is.
Deno.test("simulateCall as genesys counts the open transaction as a round trip for audio in flight at close", async () => {
  // `opened` 1.5 s after `open`, the caller hanging up 500 ms into the call (no ping yet); the
  // bot's audio comes 1,400 ms after the `close` (in flight: 1,500 ms + 1 s) and 2,600 ms (not).
  const { report } = await callAudioHookBot({
    openedDelayMs: 1500,
    onClose: (bot) => {
      bot.clock.sleep(1400).then(() => bot.audio(1600));
      bot.clock.sleep(2600).then(() => bot.audio(1600));
      bot.clock.sleep(2700).then(() => bot.reply("closed"));
    },
  }, { audio: syntheticCaller({ utterancesMs: [600], pauseMs: 400 }), hangUpAtMs: 500 });
  assert.equal(report.ended.by, "caller");
  assert.equal(report.notes[STRAGGLER], 1);
  assert.deepEqual(report.violations.map((v) => [v.rule, v.count]), [
    ["genesys.audio-out-of-session", 1],
  ]);
  assert.equal(
    report.violations[0]!.detail,
    '1600 bytes of audio 2600 ms after "close", past the 2500 ms audio in flight takes ' +
      "(round trip 1500 ms + 1000 ms)",
  );
});

for (
  const { when, before, rule } of [
    {
      when: "while a session it never opened closes",
      // The bot refuses the open (AudioHook: a `disconnect` instead of `opened`), then sends audio.
      before: (server: AudioHookSession["server"]) => {
        server("disconnect", { parameters: { reason: "unauthorized" } });
      },
      rule: "while closing a session never opened",
    },
    {
      when: "that comes after the bot's own disconnect",
      before: async (server: AudioHookSession["server"], clock: AudioHookSession["clock"]) => {
        server("opened", { parameters: { media: [] } });
        await clock.tick(2000);
        server("disconnect", { parameters: { reason: "completed" } });
      },
      rule: 'while closing after the bot\'s "disconnect"',
    },
  ]
) {
  Deno.test(`the Genesys far end reports audio ${when}`, async () => {
    const { farEnd, clock, rules, notes, server } = openAudioHookSession();
    await before(server, clock);
    const hungUp = farEnd.hangUp();
    await clock.tick(100);
    farEnd.receive(new Uint8Array(1600));
    server("closed");
    await hungUp;
    assert.deepEqual(notes, []);
    assert.deepEqual(rules, [`genesys.audio-out-of-session: 1600 bytes of audio ${rule}`]);
  });
}
