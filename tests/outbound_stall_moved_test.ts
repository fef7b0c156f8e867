// Observers are told where each outbound chunk plays as it leaves (`playsAt`). Work later in the
// same turn (an observer's, a speaking-event listener's) holds what the turn sent: it leaves once
// the work is done, and plays from then. Observers are told of that move (`playoutMoved`: from a
// position on, from a time on), so that what they were told, moved as told, is where the far end
// played every chunk. Raw PCM: the estimate alone, against a far end that plays what arrives.
import assert from "node:assert/strict";
import { stallCall, toldPlaces } from "./_stall_call.ts";

/**
 * A 1 s reply whose `k`th chunk an observer works 300 ms on (none: 0): each chunk's start as the
 * far end played it, and as the observers were told it plays once told moves are applied.
 */
async function reply(k: number, sendAheadMs?: number) {
  const s = stallCall({ chunkMs: 20, sendAheadMs });
  const { told, moves, observer } = toldPlaces();
  s.transport.observe(observer);
  let n = 0;
  s.transport.observe({ outboundAudio: () => void (++n === k && s.clock.block(300)) });
  const played = await s.replyPlayed();
  return { played, placed: told.map((info) => info.playsAt), moves };
}

Deno.test("an observer's 300 ms on a chunk of a reply: observers are told of the move, and every chunk plays where they were told", async () => {
  for (const sendAheadMs of [undefined, 60, 200]) {
    for (const k of [1, 2, 3, 5]) {
      const { played, placed, moves } = await reply(k, sendAheadMs);
      assert.equal(played.length, 50);
      assert.deepEqual(placed, played, `ahead ${sendAheadMs}, 300 ms on #${k}`);
      assert.ok(moves.length > 0, `ahead ${sendAheadMs}, 300 ms on #${k}: no move told`);
      for (const move of moves) assert.ok(move.playsAt >= move.at, "not before it was told");
    }
  }
});

Deno.test("without a turn that ran long, observers are told of no move", async () => {
  const { played, placed, moves } = await reply(0);
  assert.deepEqual(placed, played);
  assert.deepEqual(moves, []);
});
