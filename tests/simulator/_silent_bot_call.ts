// One simulated call to a bot of the test's own (or one that says nothing), bot and simulator on
// one FakeClock over real sockets (tests/_lockstep.ts), so that the report's times are exact.
import {
  type CallReport,
  simulateCall,
  type SimulateCallOptions,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import type { GateNames } from "../../src/simulator/_gate_names.ts";
import { simulateCallNaming } from "../../src/simulator/_simulate_call.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { type CountingSocket, Lockstep } from "../_lockstep.ts";

/** Two utterances, 300–700 ms and 1000–1400 ms of 1.7 s of audio, their segments known. */
export const twoUtterances = () => syntheticCaller({ utterancesMs: [400, 400], pauseMs: 300 });

/**
 * Calls a bot on 127.0.0.1 port 0 with `options`; the report when the call is over. `bot` is
 * given the bot's end of each connection (binary messages as `ArrayBuffer`) and the clock it
 * shares with the simulator; none: a bot that says nothing. The call is `simulateCall`'s, or given
 * `names` (`FLAG_NAMES`: as the CLI runs it) one whose ending names the settings as `names` do.
 */
export async function callLockstepBot(
  options: Omit<SimulateCallOptions, "clock" | "connect">,
  bot?: (socket: CountingSocket, clock: FakeClock) => void,
  names?: GateNames,
): Promise<CallReport> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = lockstep.accept(request);
    socket.binaryType = "arraybuffer";
    bot?.(socket, clock);
    return response;
  });
  try {
    const url = `ws://127.0.0.1:${server.addr.port}/`;
    const stepped = { ...options, clock, connect: lockstep.connectCaller };
    return await lockstep.run(
      names === undefined ? simulateCall(url, stepped) : simulateCallNaming(url, stepped, names),
    );
  } finally {
    await server.shutdown();
  }
}

/** {@linkcode callLockstepBot} for a bot that says nothing. */
export function callSilentBot(
  options: Omit<SimulateCallOptions, "clock" | "connect">,
  names?: GateNames,
): Promise<CallReport> {
  return callLockstepBot(options, undefined, names);
}
