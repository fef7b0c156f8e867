// A turn of the event loop that sends audio and then runs long (an observer's or a listener's
// synchronous work) holds what it sent until it ends: observers are told of the move
// (`playoutMoved`), and what they were told, moved as told, is where the far end played every
// chunk, also where the observers' own work on a move holds the turn on, and for an observer
// added part-way through the turn. Raw PCM: the estimate alone, against a far end that plays what
// arrives (tests/_stall_call.ts).
import assert from "node:assert/strict";
import { CallRecorder } from "../mod.ts";
import { botRuns, stallCall, toldPlaces } from "./_stall_call.ts";

/** The stretches 20 ms chunks played from times `starts` make, in ms from the call's start. */
function playedRuns(starts: number[]): string[] {
  const runs: [number, number][] = [];
  for (const at of starts) {
    const last = runs.at(-1);
    if (last !== undefined && last[1] === at - 1000) last[1] += 20;
    else runs.push([at - 1000, at - 1000 + 20]);
  }
  return runs.map(([from, to]) => `${from}-${to}`);
}

interface ReplyOptions {
  /** Milliseconds an observer works on the chunk told of, by its number (from 1). */
  blockOn?: Record<number, number>;
  /** Milliseconds an observer works on the first move it is told of. */
  blockOnMove?: number;
  /** It works that long on every move it is told of. */
  everyMove?: boolean;
  /** Added as the `n`th chunk is told of (the chunk itself not told to it). */
  lateFrom?: number | undefined;
  sendAheadMs?: number | undefined;
}

/**
 * A 1 s reply (20 ms chunks) on a stalling clock: what the far end played, what an observer added
 * at the start and one added late were told, and a recorder's (added at the start, or late).
 */
async function reply(options: ReplyOptions) {
  const s = stallCall({ chunkMs: 20, sendAheadMs: options.sendAheadMs });
  const first = toldPlaces();
  const late = toldPlaces();
  const recorder = new CallRecorder({ clock: s.clock, sampleRate: 16000 });
  s.transport.observe(first.observer);
  if (options.lateFrom === undefined) s.transport.observe(recorder);
  let n = 0;
  let moves = 0;
  s.transport.observe({
    outboundAudio: () => {
      n++;
      if (n === options.lateFrom) {
        s.transport.observe(late.observer);
        s.transport.observe(recorder);
      }
      const ms = options.blockOn?.[n];
      if (ms !== undefined) s.clock.block(ms);
    },
    playoutMoved: () => {
      const ms = options.blockOnMove;
      if (ms !== undefined && (++moves === 1 || options.everyMove)) s.clock.block(ms);
    },
  });
  const wav = new Response(recorder.readable).arrayBuffer();
  const played = await s.replyPlayed();
  return {
    played,
    placed: first.told.map((info) => info.playsAt),
    moves: first.moves,
    latePlaced: late.told.map((info) => info.playsAt),
    recorded: botRuns(await wav),
  };
}

Deno.test("an observer that works on the move it is told of: the turn's audio is told, and recorded, where it played", async () => {
  const failures: string[] = [];
  for (const sendAheadMs of [undefined, 60, 200]) {
    for (const k of [1, 2, 3]) {
      const r = await reply({ blockOn: { [k]: 300 }, blockOnMove: 100, sendAheadMs });
      const what = `ahead ${sendAheadMs}, 300 ms on #${k}, 100 on the move`;
      assert.equal(r.played.length, 50, what);
      if (r.placed.join() !== r.played.join()) {
        const i = r.placed.findIndex((at, j) => at !== r.played[j]);
        failures.push(`${what}: #${i + 1} told ${r.placed[i]}, played ${r.played[i]}`);
      }
      const heard = playedRuns(r.played).join(" ");
      if (r.recorded.join(" ") !== heard) {
        failures.push(`${what}: recorded ${r.recorded.join(" ")}, played ${heard}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("an observer that works on every move it is told of is told a few, and the reply plays on", async () => {
  const r = await reply({ blockOn: { 1: 300 }, blockOnMove: 100, everyMove: true });
  assert.equal(r.played.length, 50);
  assert.equal(r.moves.length, 3); // each one's work moved the turn's audio once more
  assert.ok(r.moves.every((move) => move.position === 0));
});

Deno.test("an observer added part-way through a turn that then runs long: moved as it was told", async () => {
  const failures: string[] = [];
  for (const sendAheadMs of [undefined, 60, 200]) {
    for (const [from, k] of [[2, 3], [2, 5], [3, 3]] as const) {
      const r = await reply({ lateFrom: from, blockOn: { [k]: 300 }, sendAheadMs });
      const what = `ahead ${sendAheadMs}, added at #${from}, 300 ms on #${k}`;
      const played = r.played.slice(from);
      if (r.latePlaced.join() !== played.join()) {
        const i = r.latePlaced.findIndex((at, j) => at !== played[j]);
        failures.push(`${what}: #${i + from + 1} told ${r.latePlaced[i]}, played ${played[i]}`);
      }
      // The recorder too is told from the chunk after the one it was added on.
      const recorded = r.recorded.join(" ");
      const heard = playedRuns(played).join(" ");
      if (recorded !== heard) failures.push(`${what}: recorded ${recorded}, played ${heard}`);
    }
  }
  assert.deepEqual(failures, []);
});
