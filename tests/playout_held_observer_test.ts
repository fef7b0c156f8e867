// An observer told of the far end's hold of its playout as it begins and as it ends
// (`SessionObserver.playoutHeld`), on Asterisk: docs.asterisk.org, Configuration → Channel
// Drivers → WebSocket, "Commands": `PAUSE_MEDIA` "The channel driver will then start playing
// silence to the caller but keep the data you've already sent in the queue"; `CONTINUE_MEDIA`
// resumes it. The far end here only says MEDIA_START: the hold is told from the bot's commands.
import assert from "node:assert/strict";
import type { PlayoutHoldInfo, PlayoutMoveInfo } from "../src/session_observer.ts";
import {
  asterisk16kTransport,
  mediaStart,
} from "./serializers/fixtures/asterisk_channel_playout.ts";
import { filledPcm16k } from "./serializers/fixtures/filled_pcm_16k.ts";

async function pausedCall(replyMs: number) {
  const { clock, pair, transport } = asterisk16kTransport({ sendAheadMs: 300 });
  const told: (["held", PlayoutHoldInfo] | ["moved", PlayoutMoveInfo])[] = [];
  transport.observe({
    playoutHeld: (info) => void told.push(["held", { ...info }]),
    playoutMoved: (info) => void told.push(["moved", { ...info }]),
  });
  transport.receive(() => {});
  pair.client.send(mediaStart({ json: true, format: "slin16", frameBytes: 640 }));
  await clock.tick(10);
  if (replyMs > 0) void transport.send({ ...filledPcm16k(replyMs * 32, 0x11), responseId: "r1" });
  await clock.tick(500);
  const pausedAt = clock.now();
  void transport.send({ type: "message", message: { command: "PAUSE_MEDIA" }, urgent: true });
  await clock.tick(2000);
  const playsOnAt = clock.now();
  void transport.send({ type: "message", message: { command: "CONTINUE_MEDIA" }, urgent: true });
  await clock.tick(100);
  await transport.close();
  return { told, pausedAt, playsOnAt };
}

Deno.test("an observer is told the far end holds its playout as PAUSE_MEDIA leaves, and plays on before the move", async () => {
  const { told, pausedAt, playsOnAt } = await pausedCall(2000);
  assert.deepEqual(told.map(([kind]) => kind), ["held", "held", "moved"]);
  const [[, hold], [, playOn], [, move]] = told as [
    ["held", PlayoutHoldInfo],
    ["held", PlayoutHoldInfo],
    ["moved", PlayoutMoveInfo],
  ];
  assert.equal(hold.held, true);
  assert.equal(hold.at, pausedAt);
  // Half a second of the reply had played, by the estimate, as the pause left (less its lag).
  assert.ok(hold.position > 300 && hold.position <= 500, `held at ${hold.position}`);
  assert.deepEqual(playOn, { at: playsOnAt, held: false, position: hold.position });
  assert.equal(move.position, hold.position);
  assert.ok(move.playsAt >= playsOnAt, `plays on at ${move.playsAt}`);
});

Deno.test("an observer is told a hold with nothing sent past it begins and ends, and no move", async () => {
  const { told, pausedAt, playsOnAt } = await pausedCall(0);
  assert.deepEqual(told, [
    ["held", { at: pausedAt, held: true, position: 0 }],
    ["held", { at: playsOnAt, held: false, position: 0 }],
  ]);
});

Deno.test("an observer added during a hold is told of it at once, as it began, then of its end; one added after it of nothing", async () => {
  for (const othersObserve of [false, true]) {
    const { clock, pair, transport } = asterisk16kTransport({ sendAheadMs: 300 });
    if (othersObserve) transport.observe({ playoutHeld: () => {} });
    transport.receive(() => {});
    pair.client.send(mediaStart({ json: true, format: "slin16", frameBytes: 640 }));
    await clock.tick(10);
    void transport.send({ ...filledPcm16k(2000 * 32, 0x11), responseId: "r1" });
    await clock.tick(500);
    const pausedAt = clock.now();
    void transport.send({ type: "message", message: { command: "PAUSE_MEDIA" }, urgent: true });
    await clock.tick(1000);
    const told: PlayoutHoldInfo[] = [];
    transport.observe({ playoutHeld: (info) => void told.push({ ...info }) });
    // At once, inside `observe`: the hold as it began, where it holds.
    assert.equal(told.length, 1, `others observe: ${othersObserve}`);
    assert.equal(told[0]!.held, true);
    assert.equal(told[0]!.at, pausedAt);
    assert.ok(told[0]!.position > 300 && told[0]!.position <= 500, `held at ${told[0]!.position}`);
    await clock.tick(1000);
    const playsOnAt = clock.now();
    void transport.send({ type: "message", message: { command: "CONTINUE_MEDIA" }, urgent: true });
    await clock.tick(100);
    assert.deepEqual(told.slice(1), [{ at: playsOnAt, held: false, position: told[0]!.position }]);
    const late: PlayoutHoldInfo[] = [];
    transport.observe({ playoutHeld: (info) => void late.push(info) });
    await clock.tick(100);
    assert.deepEqual(late, [], "no hold under way: nothing told");
    await transport.close();
  }
});
