// Plays a jittered both-tracks stream (generators_both_tracks.ts) through a real WebSocketTransport
// on a memory socket and a fake clock, and checks what the transport promises of such a stream,
// from README.md ("Media that providers number ... on Twilio and Plivo by `media.timestamp`
// instead when the start's `tracks` names the outbound track too ..."), never from what the code
// happened to give:
// - every caller's packet sent is heard once, in order: reordered only within the 60 ms window
//   ("a packet after a hole waits at most 60 ms of media for it"), none is late, and a stamp off by
//   a few ms of jitter or drift is "placed right after it: nothing dropped";
// - every drop is counted: what was not heard (the duplicates) is `inboundMediaDuplicates` plus
//   `inboundMediaLate` ("duplicates and packets too late to place are dropped ... Every repair is
//   counted in `transport.stats`");
// - no audio is invented: silence only where the network lost packets, of their length ("a lost
//   packet becomes silence of exactly its length (the caller's timeline stays right)"), within half
//   a packet over the stream ("by media time a packet counts as in its place within half its
//   length"); the silence heard is the silence counted (`inboundMediaGapMs`);
// - the frames' times run forward and end where the true timeline does, within half a packet;
// - nothing is an error: the stream is valid, so no decode error, no error event at all, nothing
//   escapes the transport, nothing thrown but a TransportError; the stop gives the end frame, and
//   the close settles with no timer left (no hang).
import type { AudioFrame } from "../../src/frames.ts";
import { TransportError } from "../../src/errors.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { packetHeardIn } from "../serializers/fixtures/levelled_packets.ts";
import {
  type BothTracksPlan,
  type BothTracksProtocol,
  type Impairment,
  PACKET_MS,
  planBothTracks,
} from "./generators_both_tracks.ts";
import { closeWithin } from "./close_within.ts";
import { escaping } from "../_escaping.ts";

/** Fake ms between two messages: both tracks send a packet each 20 ms. */
const STEP_MS = PACKET_MS / 2;
/** "within half its length": the tolerance on silence and on where the stream ends. */
const TOLERANCE_MS = PACKET_MS / 2;

/** What one both-tracks session showed. */
export interface BothTracksResult {
  plan: BothTracksPlan;
  failures: string[];
  /** Caller's packets heard, silence filled (ms), and the drops counted. */
  heard: number;
  silenceMs: number;
  dropped: number;
}

/** The caller's audio as the bot heard it: each frame, the packet in it (`undefined`: silence). */
interface Heard {
  packet: number | undefined;
  atMs: number;
  lengthMs: number;
}

/**
 * The packets heard, numbered back from their levels (each packet's level is its number mod 100):
 * each the first number at or past the one before's next with that level. A packet heard out of
 * order then reads as a jump of nearly a hundred, which the ledger finds unsent or out of place.
 */
function numbered(frames: AudioFrame[]): Heard[] {
  let next = 0;
  return frames.map((frame) => {
    const level = packetHeardIn(frame);
    const lengthMs = frame.audio.length / 16;
    if (level === undefined) return { packet: undefined, atMs: frame.timestampMs ?? NaN, lengthMs };
    let packet = next + ((level - (next % 100) + 100) % 100);
    if (packet < next) packet += 100;
    next = packet + 1;
    return { packet, atMs: frame.timestampMs ?? NaN, lengthMs };
  });
}

/** Plays `plan` into a fresh session of `protocol` and checks the invariants above. */
export async function runBothTracks(
  protocol: BothTracksProtocol,
  plan: BothTracksPlan,
): Promise<BothTracksResult> {
  const failures: string[] = [];
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const transport = new WebSocketTransport(server, {
    ...protocol.base.options,
    serializer: protocol.base.serializer(),
    clock,
  });
  const audio: AudioFrame[] = [];
  let ended = false;
  let current = -1;
  transport.receive((frame) => {
    if (frame.type === "end") ended = true;
    else if (frame.type === "audio") {
      if (ended) failures.push(`step ${current}: audio after the end frame`);
      else audio.push(frame);
    }
  });
  transport.addEventListener("error", (event) => {
    const error = event.error;
    const what = error instanceof TransportError
      ? `${error.code}: ${error.message}`
      : `a non-TransportError: ${String(error)}`;
    failures.push(`step ${current}: error event on a valid stream (${what})`);
  });

  let heard: Heard[] = [];
  const escaped = await escaping(async () => {
    try {
      for (const [index, step] of plan.steps.entries()) {
        current = index;
        client.send(step.wire);
        await clock.tick(STEP_MS);
      }
      current = plan.steps.length;
      if (!ended) failures.push("the stop message gave no end frame");
      heard = numbered(audio);
      failures.push(...ledger(plan, heard, transport.stats, protocol.learnsFromMedia));
      await closeWithin(transport, clock, failures);
    } catch (error) {
      failures.push(`driver threw at step ${current}: ${String(error)}`);
    }
  });
  failures.push(...escaped.map((what) => `escaped the transport: ${what}`));
  const stats = transport.stats;
  return {
    plan,
    failures,
    heard: heard.filter((h) => h.packet !== undefined).length,
    silenceMs: sum(heard.filter((h) => h.packet === undefined)),
    dropped: stats.inboundMediaDuplicates + stats.inboundMediaLate,
  };
}

const sum = (heard: Heard[]) => heard.reduce((ms, h) => ms + h.lengthMs, 0);

/** What the stats must weigh. */
type Stats = WebSocketTransport["stats"];

/** The invariants of what was heard against what was sent; each broken one, as a sentence. */
function ledger(
  plan: BothTracksPlan,
  heard: Heard[],
  stats: Stats,
  learnsFromMedia: boolean,
): string[] {
  const found: string[] = [];
  if (stats.messagesIn !== plan.steps.length) {
    found.push(`stats.messagesIn ${stats.messagesIn}, ${plan.steps.length} messages sent`);
  }
  if (stats.decodeErrors !== 0) found.push(`${stats.decodeErrors} decode error(s)`);

  // Every packet sent heard once, in order.
  const sent = [...new Set(plan.steps.filter((s) => s.kind === "inbound").map((s) => s.packet!))]
    .sort((a, b) => a - b);
  const delivered = heard.filter((h) => h.packet !== undefined).map((h) => h.packet!);
  if (delivered.join() !== sent.join()) {
    const missing = sent.filter((p) => !delivered.includes(p));
    const extra = delivered.filter((p, i) => !sent.includes(p) || delivered.indexOf(p) !== i);
    const firstOff = delivered.findIndex((p, i) => p !== sent[i]);
    found.push(
      `heard ${delivered.length} of ${sent.length} packets sent: missing [${missing}], ` +
        `unsent or twice [${extra.slice(0, 10)}], first out of place at #${firstOff}`,
    );
  }

  // Every drop counted: the messages not heard are the stage's duplicates and late packets.
  const inboundSent = plan.steps.filter((s) => s.kind === "inbound").length;
  const dropped = stats.inboundMediaDuplicates + stats.inboundMediaLate;
  const unheard = inboundSent - delivered.length;
  if (dropped !== unheard) {
    found.push(
      `${unheard} caller message(s) not heard, ${dropped} counted dropped ` +
        `(duplicates ${stats.inboundMediaDuplicates}, late ${stats.inboundMediaLate})`,
    );
  }

  // No audio invented, none hidden: silence where packets were lost, of their length.
  const silenceMs = sum(heard.filter((h) => h.packet === undefined));
  const lostMs = PACKET_MS * plan.lost.size;
  if (Math.abs(silenceMs - lostMs) > TOLERANCE_MS) {
    found.push(`${silenceMs} ms of silence heard, ${lostMs} ms lost`);
  }
  if (Math.abs(silenceMs - stats.inboundMediaGapMs) > 0.5) {
    found.push(`${silenceMs} ms of silence heard, ${stats.inboundMediaGapMs} counted`);
  }

  // Forward in time, ending where the true timeline ends (counted from the first packet heard).
  // Not where the stream began ordered by chunk (Telnyx until the bot's track shows): there a
  // frame's time is its media time as it came ("frames keep their media times", README), jitter
  // and all, and the timestamp order after the switch goes on from it.
  for (let i = 1; i < heard.length; i++) {
    if (!(heard[i]!.atMs >= heard[i - 1]!.atMs)) {
      found.push(`frame ${i} at ${heard[i]!.atMs} ms, after one at ${heard[i - 1]!.atMs} ms`);
      break;
    }
  }
  const last = heard[heard.length - 1];
  if (last !== undefined && !learnsFromMedia) {
    const endMs = last.atMs + last.lengthMs - heard[0]!.atMs;
    const trueMs = PACKET_MS * (plan.count - (sent[0] ?? 0));
    if (Math.abs(endMs - trueMs) > TOLERANCE_MS) {
      found.push(`the stream ends at ${endMs} ms, truly ${trueMs} ms`);
    }
  }
  return found;
}

/** Runs `seeds` seeds from `firstSeed`. */
export async function fuzzBothTracks(
  protocol: BothTracksProtocol,
  options: { seeds: number; steps: number; firstSeed?: number; leaveOut?: ReadonlySet<Impairment> },
): Promise<BothTracksResult[]> {
  const results: BothTracksResult[] = [];
  const first = options.firstSeed ?? 1;
  for (let seed = first; seed < first + options.seeds; seed++) {
    results.push(
      await runBothTracks(
        protocol,
        planBothTracks(protocol, seed, options.steps, options.leaveOut),
      ),
    );
  }
  return results;
}

/** A failed session as a replay recipe, with its stream. */
export function formatBothTracksFailure(result: BothTracksResult, steps?: number): string {
  const { plan } = result;
  // What was left out changes the seed's draws: the replay leaves out as much.
  const skip = plan.leftOut.length > 0 ? ` --skip ${plan.leftOut.join(",")}` : "";
  const replay = `--protocol ${plan.protocol} --seed ${plan.seed} --steps ${
    steps ?? plan.count
  }${skip}`;
  const { jitterMs, drift, firstLateMs } = plan.stamps;
  return [
    `FAIL protocol=${plan.protocol} seed=${plan.seed} (replay: ${replay})`,
    `  stamps: jitter ±${jitterMs} ms, drift ${drift * 100} %, first ${firstLateMs} ms late; ` +
    `lost [${[...plan.lost]}]`,
    ...result.failures.map((f) => `  ! ${f}`),
    "  steps:",
    ...plan.steps.map((step, i) => `  ${String(i).padStart(4)} [${step.kind}] ${step.label}`),
  ].join("\n");
}
