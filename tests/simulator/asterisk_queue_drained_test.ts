// The simulated chan_websocket's QUEUE_DRAINED, against asterisk/asterisk channels/chan_websocket.c
// (f0c1c1a7): `REPORT_QUEUE_DRAINED` only sets a flag (handle_command), and `dequeue_frame` sends
// QUEUE_DRAINED, once, at the first timer tick that finds the frame queue empty. docs.asterisk.org,
// Configuration → Channel Drivers → WebSocket, `REPORT_QUEUE_DRAINED`: "a one-time QUEUE_DRAINED
// notification the next time it detects that there are no more frames to process in the queue".
// So media the bot sends after the command, before the queue ran dry, puts the notification off
// until that media has played too; a second command while one is pending brings no second event.
// The simulator answered at the audio queued when the command came, once per command.
import assert from "node:assert/strict";
import { AsteriskFarEnd } from "../../src/simulator/far_ends/asterisk.ts";
import type { MarkOnClear } from "../../src/simulator/far_end.ts";
import { farEndContext } from "./far_ends/_context.ts";

/** A playout buffer of μ-law at 8 kHz that plays when told to, its marks answered as they play. */
function playout() {
  let played = 0;
  let queued = 0;
  let due: Array<{ at: number; ack: () => void }> = [];
  const sent: string[] = [];
  const whenPlayed = (_onClear: MarkOnClear, ack: () => void) => {
    if (queued === 0) ack();
    else due.push({ at: played + queued, ack });
  };
  const context = farEndContext({
    now: () => played,
    send: (message) => {
      if (typeof message === "string") sent.push(message);
    },
    play: (samples) => void (queued += samples.length / 8),
    queuedMs: () => queued,
    mark: (_name, onClear, ack) => whenPlayed(onClear, ack),
    whenPlayed,
  });
  const advance = (ms: number) => {
    for (let step = 0; step < ms; step += 20) {
      played += 20;
      queued = Math.max(0, queued - 20);
      const now = due.filter(({ at }) => at <= played);
      due = due.filter(({ at }) => at > played);
      for (const { ack } of now) ack();
    }
  };
  return { context, sent, advance };
}

Deno.test("AsteriskFarEnd answers REPORT_QUEUE_DRAINED once, when the queue first runs dry, media sent after it included", () => {
  const { context, sent, advance } = playout();
  const asterisk = new AsteriskFarEnd({ encoding: "ulaw" });
  asterisk.open(context);
  asterisk.receive(new Uint8Array(800)); // 100 ms: five whole 160-byte frames
  asterisk.receive("REPORT_QUEUE_DRAINED");
  asterisk.receive(new Uint8Array(800)); // 100 ms more, before the queue ran dry
  asterisk.receive("REPORT_QUEUE_DRAINED"); // the flag is set already
  advance(100);
  assert.deepEqual(sent.filter((m) => m === "QUEUE_DRAINED"), [], "not while frames are queued");
  advance(100);
  assert.deepEqual(sent.filter((m) => m === "QUEUE_DRAINED"), ["QUEUE_DRAINED"]);
  advance(200);
  assert.equal(sent.filter((m) => m === "QUEUE_DRAINED").length, 1, "one-time");
});
