// After a `clearMarks` and an interruption on mod_audio_fork (fixtures/fork_module.ts): what the
// module must hold and answer for the marks to be in step again, shared by the clearMarks tests.
import assert from "node:assert/strict";
import type { FakeClock } from "../../src/testing/mod.ts";
import { botMarks, lastEndMark, reply, type WiredFork } from "./fixtures/fork_module.ts";

const NEW_REPLY = 2000;

/** Plays `frames` ticks, the serializer's timers run between. */
export async function play(w: WiredFork, clock: FakeClock, frames: number): Promise<void> {
  w.frames(frames / 2);
  await clock.tick(100);
  w.frames(frames / 2);
}

/** The new reply's 200 ms and mark `d` (and an end-of-speech mark), then later replies in step. */
export async function replyAfterClear(w: WiredFork, clock: FakeClock): Promise<void> {
  reply(w, 200, "d", NEW_REPLY);
  const end = lastEndMark();
  await play(w, clock, 80);
  const d = w.module.events.find((e) => e.name === "d");
  assert.equal(d?.event, "playout");
  // Answered as its place played: the new reply's 200 ms all out by then, not before.
  const heard = w.module.out.slice(0, d!.frame * 160).filter((v) => v === NEW_REPLY).length;
  assert.equal(heard / 8, 200, "ms of the new reply played when d was answered");
  assert.ok(w.marks.some((m) => m.name === end), "the reply's end-of-speech mark is answered");
  for (const name of ["e", "f"]) {
    reply(w, 200, name);
    const next = lastEndMark();
    await play(w, clock, 80);
    assert.equal(botMarks(w).at(-1), name);
    assert.ok(w.marks.some((m) => m.name === next), `${next} answered with its reply`);
  }
  assert.deepEqual(w.module.cleared, [], "names left on the module's cleared list");
  assert.deepEqual(w.module.inUse, [], "marks the module holds with no marker left");
  assert.deepEqual(w.reports, []);
}

/** One sentinel in the module's pre-buffer for each name on its cleared list, none more. */
export function assertSentinelPerClearedName(w: WiredFork): void {
  assert.equal(
    w.module.pre.filter((v) => v === 0xffff).length,
    w.module.cleared.length,
    "a sentinel for each name on the module's cleared list, none more",
  );
}
