// The jambonz/FreeSWITCH serializers' bookkeeping against mod_audio_fork's own playback code,
// translated line by line (fixtures/fork_module.ts): padding, end marks and the names killAudio
// and clearMarks leave behind.
import assert from "node:assert/strict";
import { wiredFork } from "./fixtures/fork_module.ts";

/** Milliseconds of speech (the level 1000) the module played before frame `frame`. */
function playedBefore(out: number[], frame: number): number {
  return out.slice(0, frame * 160).filter((v) => v === 1000).length / 8;
}

Deno.test("mod_audio_fork: the transport's end mark is answered once the reply's last sample has played", () => {
  const w = wiredFork();
  w.speak(420);
  w.send({ type: "mark", name: "__wst:end:9" });
  w.frames(60);
  const at = w.marks.find((m) => m.name === "__wst:end:9");
  assert.ok(at, "answered");
  assert.equal(playedBefore(w.module.out, at.frame), 420);
});

Deno.test("mod_audio_fork: a bot's mark mid-reply puts no silence into the speech", () => {
  const w = wiredFork();
  w.speak(420);
  w.send({ type: "mark", name: "sentence-1" });
  w.speak(420);
  w.send({ type: "mark", name: "sentence-2" });
  w.send({ type: "mark", name: "__wst:end:3" });
  w.frames(100);
  const out = w.module.out;
  const speech = out.slice(out.indexOf(1000), out.lastIndexOf(1000) + 1);
  // The module drops a marker sample from its frame and plays a zero at the frame's end: a
  // sample a marker, no more (silence padding after sentence-1 would be 480 samples).
  assert.ok(speech.filter((v) => v !== 1000).length <= 2, "a gap inside the reply");
  assert.equal(speech.filter((v) => v === 1000).length / 8, 840);
});

Deno.test("mod_audio_fork: killAudio then clearMarks, before the module's next frame: the next reply's mark is answered", () => {
  const w = wiredFork();
  w.speak(200);
  w.send({ type: "mark", name: "a" });
  w.speak(200);
  w.send({ type: "mark", name: "b" });
  w.speak(200);
  w.frames(5);
  w.send({ type: "interruption" });
  w.send({ type: "message", message: { type: "clearMarks" } });
  w.frames(5);
  w.speak(400);
  w.send({ type: "mark", name: "r2" });
  w.send({ type: "mark", name: "__wst:end:1" });
  w.frames(60);
  assert.ok(w.marks.some((m) => m.name === "r2"), JSON.stringify(w.module.cleared));
});

Deno.test("mod_audio_fork: clearMarks while killAudio's 'cleared' answers are on their way: the next reply's mark is answered", () => {
  const w = wiredFork();
  const held: string[] = [];
  const deliver = w.module.onEvent;
  w.module.onEvent = (json) => void held.push(json);
  w.speak(200);
  w.send({ type: "mark", name: "a" });
  w.speak(400);
  w.frames(5);
  w.send({ type: "interruption" });
  w.frames(1);
  w.send({ type: "message", message: { type: "clearMarks" } });
  w.module.onEvent = deliver;
  for (const json of held) deliver(json);
  w.frames(5);
  w.speak(400);
  w.send({ type: "mark", name: "r2" });
  w.send({ type: "mark", name: "__wst:end:1" });
  w.frames(60);
  assert.ok(w.marks.some((m) => m.name === "r2"), JSON.stringify(w.module.cleared));
});

Deno.test("mod_audio_fork: after an interruption nothing of the interrupted reply plays at the next reply's start", () => {
  // killAudio empties the module's playout buffer, not its pre-buffer: 300 ms (2400 samples)
  // leave 480 there (1280, then 640, moved on), which would open the next reply.
  const w = wiredFork();
  w.speak(300);
  w.frames(5);
  w.send({ type: "interruption" });
  w.frames(5);
  const cut = w.module.out.length;
  const next = new Int16Array(160).fill(2000);
  for (let t = 0; t < 400; t += 20) {
    w.send({ type: "audio", audio: new Uint8Array(next.buffer), sampleRate: 8000, channels: 1 });
  }
  w.send({ type: "mark", name: "__wst:end:1" });
  w.frames(60);
  const after = w.module.out.slice(cut);
  assert.equal(after.filter((v) => v === 1000).length / 8, 0, "ms of the interrupted reply");
  assert.equal(after.filter((v) => v === 2000).length / 8, 400, "the next reply, whole");
});
