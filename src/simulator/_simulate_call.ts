/**
 * The call behind `simulateCall`, with its ending naming the settings as the caller knows them:
 * `simulateCall` names its options (`the call reached maxDurationMs (3000 ms)`), the command line
 * its flags (`--max-duration`). Internal: `simulate_call.ts` is the public face.
 *
 * @module
 */

import { SimulatedCall } from "./_call.ts";
import { resolveCallOptions } from "./_call_options.ts";
import type { GateNames } from "./_gate_names.ts";
import { assertSpeechSegmentsWithin } from "./_speech_segments.ts";
import { assertWebSocketUrl } from "./_websocket_url.ts";
import { CallerAudio, type CallerPcm } from "./caller_audio.ts";
import { FAR_ENDS } from "./far_ends.ts";
import type { CallReport, TransportUnderruns } from "./report.ts";
import type { CallProgress, SessionUnderrunFigures, SimulateCallOptions } from "./simulate_call.ts";
import { syntheticCaller } from "./synthetic_caller.ts";

/** Reads how a call is going now; `undefined` until its caller has begun. */
export type ReadProgress = () => CallProgress | undefined;

/**
 * Runs one call as `simulateCall` does (see there), its ending's detail naming the settings as
 * `names` do. `watch`, when given, is handed the call's {@linkcode ReadProgress} as the call
 * starts: the CLI's progress line reads it at each of its updates, current then, where
 * `onProgress`'s snapshots are pushed at the call's own pace.
 */
export async function simulateCallNaming(
  url: string | URL,
  options: SimulateCallOptions,
  names: GateNames,
  watch?: (read: ReadProgress) => void,
): Promise<CallReport> {
  const resolved = resolveCallOptions(options, names);
  // Dialled by the simulator's own WebSocket, the URL is the command line's kind; a `connect` of
  // the caller's own dials what it is given (an in-memory pair's `memory://bot`, say).
  if (options.connect === undefined) assertWebSocketUrl(String(url), "url");
  const factory = typeof options.protocol === "function"
    ? options.protocol
    : FAR_ENDS[options.protocol];
  if (!factory) {
    throw new RangeError(
      `protocol must be one of ${Object.keys(FAR_ENDS).join(", ")} or a factory, got ${
        JSON.stringify(options.protocol)
      }`,
    );
  }
  const farEnd = factory(options.platform ?? {});
  const caller = new CallerAudio(options.audio ?? defaultCaller(), {
    sampleRate: farEnd.caller.sampleRate,
  });
  if (caller.durationMs !== undefined) {
    const given = options.speechSegments ? "speechSegments" : "the audio's speechSegments";
    const segments = options.speechSegments ?? caller.speechSegments ?? [];
    assertSpeechSegmentsWithin(segments, caller.durationMs, given);
  }
  const { sessionMetrics } = options;
  if (sessionMetrics !== undefined && typeof sessionMetrics !== "function") {
    throw new TypeError(`sessionMetrics must be a function, got ${typeof sessionMetrics}`);
  }
  const call = new SimulatedCall(String(url), resolved, farEnd, caller);
  watch?.(() => call.progress());
  const report = await call.run();
  // Read once the call is over: the bot's transport has sent (and counted) all it will.
  if (sessionMetrics) report.transportUnderruns = transportUnderruns(sessionMetrics);
  return report;
}

/**
 * The underruns of the bot's session, from `sessionMetrics`; a TypeError for one that throws or
 * gives what is no count (a NaN would print as a figure and compare unequal to every other).
 */
function transportUnderruns(
  sessionMetrics: () => SessionUnderrunFigures | undefined,
): TransportUnderruns | null {
  let figures: SessionUnderrunFigures | undefined;
  try {
    figures = sessionMetrics();
  } catch (error) {
    throw new TypeError(`sessionMetrics threw: ${(error as Error)?.message ?? error}`, {
      cause: error,
    });
  }
  if (figures === undefined) return null;
  const { underruns, underrunMs } = (figures as Partial<SessionUnderrunFigures>)?.outbound ?? {};
  if (!isCount(underruns) || !isCount(underrunMs)) {
    throw new TypeError(
      `sessionMetrics must return a snapshot with outbound.underruns and outbound.underrunMs ` +
        `(numbers of 0 or more) or undefined, got ${underruns} and ${underrunMs}`,
    );
  }
  return { underruns, underrunMs };
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && value >= 0 && Number.isFinite(value);
}

let synthetic: CallerPcm | undefined;

/**
 * The synthetic caller every call plays when given no audio, made once per process and only
 * read from then on: making it costs some 25 ms of CPU, which, paid by each of hundreds of calls
 * started together, held back every other call's connect by seconds.
 */
function defaultCaller(): CallerPcm {
  return synthetic ??= syntheticCaller();
}
