/**
 * Twenty recorded calls that end, their recordings read to the end, each recorder kept afterwards
 * (as an application keeps one to write its true header, `recorder.wavHeader()`, or read its
 * `stats`), recorded at the call's own rate and at one that needs resampling; prints, as JSON, for
 * each recording rate, how many of the sessions the garbage collector could take and how much
 * memory each kept recorder still holds. Run by finished_recorder_test.ts with
 * `--v8-flags=--expose-gc`.
 *
 * @module
 */

import type { CallRecorder } from "../../mod.ts";
import { call, collect, speech } from "./_call.ts";
import { collectGarbage } from "../_collect_garbage.ts";

/** One call (16 kHz), recorded at `sampleRate` and read to its end; the session is dropped. */
async function recordedCall(
  sampleRate: number,
): Promise<{ recorder: CallRecorder; session: WeakRef<object> }> {
  const c = call({ recorder: { sampleRate } });
  const wav = collect(c.recorder.readable);
  c.mic.value = 5;
  c.transport.send(speech(2000, 1, "r1"));
  await c.talk(3000);
  await c.hangUp();
  await wav;
  return { recorder: c.recorder, session: new WeakRef(c.transport) };
}

const CALLS = 20;

/** Twenty calls recorded at `sampleRate`, their recorders kept: what is collected, what is held. */
async function finishedCalls(sampleRate: number) {
  const kept: CallRecorder[] = [];
  const sessions: WeakRef<object>[] = [];
  for (let i = 0; i < CALLS; i++) {
    const { recorder, session } = await recordedCall(sampleRate);
    kept.push(recorder);
    sessions.push(session);
  }
  // What the recorders hold: the memory in use with them, less that once they are let go too.
  const withRecorders = await collectGarbage();
  const sessionsCollected = sessions.filter((session) => session.deref() === undefined).length;
  kept.length = 0;
  const withoutRecorders = await collectGarbage();
  return {
    sampleRate,
    sessionsCollected,
    bytesPerRecorder: Math.round((withRecorders - withoutRecorders) / CALLS),
  };
}

// At the call's rate, and resampled (caller and bot, 16 → 48 kHz: a resampler each).
console.log(JSON.stringify([await finishedCalls(16000), await finishedCalls(48000)]));
