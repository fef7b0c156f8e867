// `simulateCall` leaves nothing running once its report is in: no sleep or timer of its own (nor
// of its far end's) still pending on the clock, however the call ended (the caller hung up after
// the bot's silence, at a set time mid-answer, the bot hung up, the test's signal aborted), for
// every platform's far end, each against a bot on this package's serializer for that platform,
// on one FakeClock over real sockets (tests/simulator/_bot.ts, tests/_lockstep.ts).
import assert from "node:assert/strict";
import type { Clock, ClockTimer } from "../src/clock.ts";
import type { FrameSerializer } from "../src/serializer.ts";
import { AsteriskSerializer } from "../src/serializers/asterisk.ts";
import { ExotelSerializer } from "../src/serializers/exotel.ts";
import { FreeSwitchSerializer } from "../src/serializers/freeswitch.ts";
import { GenesysSerializer } from "../src/serializers/genesys.ts";
import { JambonzSerializer } from "../src/serializers/jambonz.ts";
import { PlivoSerializer } from "../src/serializers/plivo.ts";
import { ProtobufSerializer } from "../src/serializers/protobuf.ts";
import { RawPcmSerializer } from "../src/serializers/raw_pcm.ts";
import { TelnyxSerializer } from "../src/serializers/telnyx.ts";
import { TwilioSerializer } from "../src/serializers/twilio.ts";
import { VonageSerializer } from "../src/serializers/vonage.ts";
import {
  type CallReport,
  simulateCall,
  type SimulateCallOptions,
  syntheticCaller,
} from "../src/simulator/mod.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { Lockstep } from "./_lockstep.ts";
import { serveBot } from "./simulator/_bot.ts";

/**
 * `clock` as the simulator is given it, its sleeps and timers counted: those still pending are
 * the simulator's (the bot's transport has the clock itself).
 */
function countedClock(clock: FakeClock): { clock: Clock; pending(): number } {
  let sleeping = 0;
  const timers: ClockTimer[] = [];
  return {
    clock: {
      now: () => clock.now(),
      sleep(ms, signal) {
        sleeping++;
        return clock.sleep(ms, signal).finally(() => sleeping--);
      },
      timer(callback, options) {
        const timer = clock.timer(callback, options);
        timers.push(timer);
        return timer;
      },
    },
    pending: () => sleeping + timers.filter((timer) => timer.armed).length,
  };
}

const PLATFORMS: [string, () => FrameSerializer][] = [
  ["twilio", () => new TwilioSerializer()],
  ["telnyx", () => new TelnyxSerializer()],
  ["plivo", () => new PlivoSerializer()],
  ["exotel", () => new ExotelSerializer()],
  ["vonage", () => new VonageSerializer()],
  ["genesys", () => new GenesysSerializer()],
  ["pipecat", () => new ProtobufSerializer()],
  ["raw", () => new RawPcmSerializer()],
  ["asterisk", () => new AsteriskSerializer()],
  ["jambonz", () => new JambonzSerializer()],
  ["freeswitch", () => new FreeSwitchSerializer()],
];

/** How the call ends. */
interface Ending {
  name: string;
  /** Who the report says ended it. */
  by: string;
  call?: Partial<SimulateCallOptions>;
  /** The bot closes this long after its first answer ends. */
  botHangsUpAfterMs?: number;
  /** The test's signal aborts the call at this clock time. */
  abortAtMs?: number;
}

const ENDINGS: Ending[] = [
  { name: "the caller hangs up after the bot's silence", by: "caller", call: { lingerMs: 500 } },
  // 600 ms of speech, the answer 500 ms after it for 1000 ms: 1500 ms is mid-answer.
  { name: "the caller hangs up mid-answer", by: "caller", call: { hangUpAtMs: 1500 } },
  { name: "the bot hangs up", by: "bot", botHangsUpAfterMs: 200, call: { waitForBotHangUp: true } },
  {
    name: "the signal aborts mid-answer",
    by: "aborted",
    abortAtMs: 1500,
    call: { lingerMs: 5000 },
  },
];

async function endedCall(
  protocol: string,
  serializer: () => FrameSerializer,
  ending: Ending,
): Promise<{ report: CallReport; simulatorPending: number; allPending: number }> {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const counted = countedClock(clock);
  const server = serveBot({
    clock,
    serializer,
    onSession: (t) => lockstep.register(t),
    answerDelayMs: 500,
    answerMs: 1000,
    // Genesys takes 5 binary messages a second (25 at once): 200 ms packets, as a bot must send.
    ...(protocol === "genesys" ? { transport: { fixedAudioPacketSize: 1600, padByte: 0xff } } : {}),
    ...(ending.botHangsUpAfterMs === undefined
      ? {}
      : { hangUpAfterFirstAnswerMs: ending.botHangsUpAfterMs }),
  });
  const controller = new AbortController();
  if (ending.abortAtMs !== undefined) {
    void clock.sleep(ending.abortAtMs).then(() => controller.abort(new Error("test over")));
  }
  let report: CallReport, simulatorPending: number;
  try {
    report = await lockstep.run(simulateCall(server.url, {
      protocol,
      clock: counted.clock,
      connect: lockstep.connectCaller,
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 400 }),
      signal: controller.signal,
      maxDurationMs: 20_000,
      ...ending.call,
    }));
    simulatorPending = counted.pending();
  } finally {
    await server.close();
  }
  // The bot's session has ended too (`server.close` waited for it): the clock holds nothing.
  return { report, simulatorPending, allPending: clock.pendingTimers };
}

for (const [protocol, serializer] of PLATFORMS) {
  Deno.test(`simulateCall as ${protocol}: nothing left pending once the report is in, however the call ended`, async () => {
    for (const ending of ENDINGS) {
      const { report, simulatorPending, allPending } = await endedCall(
        protocol,
        serializer,
        ending,
      );
      const name = `${protocol}, ${ending.name}`;
      assert.equal(report.ended.by, ending.by, `${name}: ended so (${report.ended.detail})`);
      assert.equal(simulatorPending, 0, `${name}: the simulator's sleeps and timers left`);
      assert.equal(allPending, 0, `${name}: timers left on the clock once both sides ended`);
    }
  });
}
