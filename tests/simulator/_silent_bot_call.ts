// One simulated call to a bot that says nothing, bot and simulator on one FakeClock over real
// sockets (tests/_lockstep.ts), so that the report's times are exact.
import {
  type CallReport,
  simulateCall,
  type SimulateCallOptions,
} from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { Lockstep } from "../_lockstep.ts";

/** Calls a silent bot on 127.0.0.1 port 0 with `options`; the report when the call is over. */
export async function callSilentBot(
  options: Omit<SimulateCallOptions, "clock" | "connect">,
): Promise<CallReport> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    return lockstep.accept(request).response;
  });
  try {
    return await lockstep.run(simulateCall(`ws://127.0.0.1:${server.addr.port}/`, {
      ...options,
      clock,
      connect: lockstep.connectCaller,
    }));
  } finally {
    await server.shutdown();
  }
}
