// One simulated call to a bot that says nothing, bot and simulator on one FakeClock over real
// sockets (tests/_lockstep.ts), so that the report's times are exact.
import {
  type CallReport,
  simulateCall,
  type SimulateCallOptions,
  syntheticCaller,
} from "../../src/simulator/mod.ts";
import type { GateNames } from "../../src/simulator/_gate_names.ts";
import { simulateCallNaming } from "../../src/simulator/_simulate_call.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { Lockstep } from "../_lockstep.ts";

/** Two utterances, 300–700 ms and 1000–1400 ms of 1.7 s of audio, their segments known. */
export const twoUtterances = () => syntheticCaller({ utterancesMs: [400, 400], pauseMs: 300 });

/**
 * Calls a silent bot on 127.0.0.1 port 0 with `options`; the report when the call is over. The
 * call is `simulateCall`'s, or given `names` (`FLAG_NAMES`: as the CLI runs it) one whose ending
 * names the settings as `names` do.
 */
export async function callSilentBot(
  options: Omit<SimulateCallOptions, "clock" | "connect">,
  names?: GateNames,
): Promise<CallReport> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    return lockstep.accept(request).response;
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
