// `--ramp` starts its first call at 0 and spreads the others after it; but without `--audio`
// each call made the synthetic caller's audio (once a process: in the first call) and resampled it
// to the platform's rate (Twilio's 8 kHz: 40 to 60 ms, in every call) after its ramp start: the
// first call reached the bot some 100 to 160 ms after the ramp began, the others 40 to 150 ms
// after their turn. The CLI now decodes the caller's audio once, before the ramp, as it did a
// file's, and starts the first call with no timer before it.
//
// The CLI's `main`, in this process (the bot's arrivals and the CLI on one clock); the ramp
// begins as the CLI starts listening for Ctrl-C, just before its first call (src/simulator/
// cli.ts: "the CLI listens for SIGINT from before its first call", tests/simulator/_cli.ts).
// Real time: the CLI runs on the system clock, which it takes from no one. What is left of a
// call's lateness after the fix is its connect (a first WebSocket of the process: 5 to 15 ms
// here, loaded); the making it missed was 40 ms at the very least (25 ms to make, 15 to resample).
// The bound, 70 ms, leaves a loaded machine room for the connect: the first call came 105 to
// 144 ms late before the fix, 8 to 11 ms after.
import assert from "node:assert/strict";
import { main } from "../../src/simulator/cli.ts";

/** How late each call of `args` reached the bot after its turn on a `rampMs` ramp. */
async function lateness(args: string[], calls: number, rampMs: number): Promise<number[]> {
  const arrivals: number[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    arrivals.push(performance.now());
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = () => {};
    return response;
  });
  let rampStart = NaN;
  const addSignalListener = Deno.addSignalListener;
  const log = console.log;
  Deno.addSignalListener = (signal, listener) => {
    rampStart = performance.now();
    addSignalListener(signal, listener);
  };
  console.log = () => {};
  try {
    const url = `ws://127.0.0.1:${server.addr.port}/`;
    const status = await main([
      "-q",
      ...args,
      "--calls",
      `${calls}`,
      "--ramp",
      `${rampMs}`,
      "--max-duration",
      "300",
      url,
    ]);
    assert.equal(status, 0);
  } finally {
    console.log = log;
    Deno.addSignalListener = addSignalListener;
    await server.shutdown();
  }
  assert.equal(arrivals.length, calls);
  return arrivals.map((at, i) => at - rampStart - (rampMs * i) / (calls - 1));
}

Deno.test("--ramp's first call starts as the ramp begins, without --audio too", async () => {
  const late = await lateness(["-p", "twilio"], 3, 400);
  assert.ok(late[0]! < 70, `the first call reached the bot ${late[0]!.toFixed(1)} ms late`);
  for (const [i, ms] of late.entries()) {
    assert.ok(ms < 70, `call ${i + 1} reached the bot ${ms.toFixed(1)} ms after its turn`);
  }
});
