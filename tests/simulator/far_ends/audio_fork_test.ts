// The mod_audio_fork far end's playout against the module's frame clock (jambonz/freeswitch-modules
// `mod_audio_fork/lws_glue.cpp` at 30f21899): the media bug takes one 20 ms frame from the playout
// buffer per tick (`dub_speech_frame`, `:929`, `:975`), and answers a mark waiting in inventory
// only from a frame that found that buffer empty (`:1035-1041`). On a context with a real
// PlayoutBuffer and a FakeClock, no socket between: the times are exact.
import assert from "node:assert/strict";
import { FakeClock } from "../../../src/testing/fake_clock.ts";
import type { FarEndContext } from "../../../src/simulator/far_end.ts";
import { PlayoutBuffer } from "../../../src/simulator/playout_buffer.ts";
import {
  ALL_MODULE_EVENTS,
  AudioForkPlayback,
} from "../../../src/simulator/far_ends/_audio_fork.ts";
import { littleEndianBytes } from "../../../src/simulator/far_ends/_json_events.ts";

const RATE = 8000;

/** A far-end context that plays into a PlayoutBuffer on `clock` and records the answers sent. */
function forkContext(clock: FakeClock) {
  const buffer = new PlayoutBuffer({ sampleRate: RATE });
  const answers: { name: string; event: string; atMs: number }[] = [];
  const context: FarEndContext = {
    now: () => clock.now(),
    sleep: (ms) => clock.sleep(ms),
    send: (message) => {
      const { data } = JSON.parse(message as string);
      answers.push({ name: data.name, event: data.event, atMs: clock.now() });
    },
    violation: (rule, detail) => assert.fail(`${rule}: ${detail}`),
    play: (samples) => buffer.enqueue(samples, clock.now()),
    queuedMs: () => {
      buffer.advance(clock.now());
      return buffer.queuedMs;
    },
    mark: () => assert.fail("the module answers marks itself"),
    whenPlayed: (_onClear, played) => {
      const position = buffer.position;
      const check = () => {
        buffer.advance(clock.now());
        if (buffer.consumed >= position) played();
        else clock.sleep(buffer.timeOfPosition(position) - clock.now()).then(check);
      };
      check();
    },
    markRequested: () => {},
    markSettled: () => {},
    clear: () => buffer.clear(clock.now()),
    dropQueued: (fromMs, toMs) => void buffer.dropQueued(fromMs, toMs, clock.now()),
    ready: () => {},
    endCall: () => {},
    note: () => {},
  };
  const fork = new AudioForkPlayback(context, {
    protocol: "freeswitch",
    onDisconnect: () => {},
    streamSampleRate: RATE,
    channelSampleRate: RATE,
    heardEvents: ALL_MODULE_EVENTS,
  });
  return { fork, answers };
}

/** `ms` of the bot's audio, as one binary message. */
const audio = (ms: number) => littleEndianBytes(new Int16Array((RATE * ms) / 1000).fill(4000));

Deno.test("mod_audio_fork far end: audio reaching a dry playout buffer plays from the next 20 ms frame, and a mark waiting in inventory is not answered before the audio ahead of it played", async () => {
  const clock = new FakeClock();
  const { fork, answers } = forkContext(clock);
  // 160 ms: the first pre-buffer threshold (1280 samples, `:487`), into the playout buffer at
  // once. It came on the tick at 0, after that tick's frame was built: it plays from 20 to 180.
  fork.receive(audio(160));
  await clock.tick(100);
  // Below the next threshold (640 samples): held in the pre-buffer. The mark after it waits in
  // inventory for the next binary message.
  fork.receive(audio(60));
  fork.receive(JSON.stringify({ type: "mark", data: { name: "m" } }));
  // The tick at 160 still plays the first batch: no inventory answer there.
  await clock.tick(60);
  assert.deepEqual(answers, []);
  // The next chunk, on that tick: the mark goes in use, its marker before this chunk's audio, and
  // the pre-buffer (60 ms, the marker, 20 ms) follows the first batch at 180.
  fork.receive(audio(20));
  await clock.tick(200);
  // The 220 ms ahead of the mark, from 20: played at 240, when the marker is reached.
  assert.deepEqual(answers, [{ name: "m", event: "playout", atMs: 240 }]);
});

Deno.test("mod_audio_fork far end: killAudio clears at the next 20 ms frame, with the audio and marks that came before it", async () => {
  const clock = new FakeClock();
  const { fork, answers } = forkContext(clock);
  fork.receive(audio(160));
  fork.receive(JSON.stringify({ type: "mark", data: { name: "old" } }));
  fork.receive(audio(80)); // a whole batch after the first: `old`'s marker into the playout
  await clock.tick(45);
  // `killAudio` only sets a flag (`:299`); the frame at 60 acts on it (`:939`).
  fork.receive(JSON.stringify({ type: "killAudio" }));
  // Before that frame: a batch of the next reply, with a mark, reaches the playout buffer.
  fork.receive(JSON.stringify({ type: "mark", data: { name: "early" } }));
  fork.receive(audio(80));
  fork.receive(JSON.stringify({ type: "mark", data: { name: "proof" } }));
  await clock.tick(14);
  assert.equal(answers.length, 0, "nothing cleared before the frame");
  await clock.tick(1);
  // Marks in use, then in inventory, answered `cleared` at that frame (`:946-960`).
  assert.deepEqual(answers.map((a) => [a.name, a.event, a.atMs]), [
    ["old", "cleared", 60],
    ["early", "cleared", 60],
    ["proof", "cleared", 60],
  ]);
});
