/**
 * A seeded model of streams' ends, for the reorder stage's judgement of a jump still unconfirmed
 * at the final flush: how many real packets a rule saves against how many bogus numbers it lets
 * be heard. Each stream is a caller's packets of one length (40 ms unless told) through an
 * `OrderedMedia` stage (`_ordered_media_stage.ts`), by chunk or by media time, with losses in runs
 * of 1 to 4, now and then two neighbours swapped, and on some streams one packet whose number is
 * bogus (its chunk and its stamp moved together, near its place or far off). Every packet sounds
 * its own level, a bogus one a level no real packet has; the frames heard say which came out.
 *
 * `deno run -A tests/serializers/telephony/_final_jump_model.ts [--streams N] [--length MS]
 * [--by sequence|timestamp] [--bogus-last]` prints, over N streams: the real packets that
 * arrived and those heard, the streams whose last real packet to arrive was not heard, and the
 * bogus packets heard. `--bogus-last` makes every stream's last packet the bogus one, near its
 * place (the rule's worst case).
 *
 * @module
 */

import { Prng } from "../../fuzz/prng.ts";
import { levelCodeOf, packetHeardIn } from "../fixtures/levelled_packets.ts";
import { encodeBase64 } from "../../../src/serializers/telephony/base64.ts";
import { boundStage } from "./_ordered_media_stage.ts";

/** The level a bogus packet sounds (packet 99's): no real packet of a modelled stream has it. */
const BOGUS_LEVEL = 99;

/** One modelled stream's outcome. */
export interface StreamOutcome {
  realArrived: number;
  realHeard: number;
  /** Whether the last real packet to arrive was heard. */
  lastHeard: boolean;
  bogusArrived: number;
  bogusHeard: number;
}

/** Options of one modelled stream. */
export interface StreamModel {
  lengthMs: number;
  by: "sequence" | "timestamp";
  /** Every stream ends with a bogus packet near its place. */
  bogusLast: boolean;
}

/** One stream, seeded by `seed`. */
export function modelStream(seed: number, model: StreamModel): StreamOutcome {
  const prng = new Prng(seed);
  const { lengthMs, by, bogusLast } = model;
  const count = 20 + prng.int(78);
  // What the far end sent: packets 0..count-1, losses in runs (1 most often, up to 4).
  const sent: { packet: number; chunk: number; stampMs: number; bogus: boolean }[] = [];
  for (let packet = 0; packet < count; packet++) {
    if (prng.chance(0.04)) {
      const run = prng.pick([1, 1, 1, 1, 2, 2, 3, 4]);
      packet += run - 1;
      continue;
    }
    sent.push({ packet, chunk: packet + 1, stampMs: packet * lengthMs, bogus: false });
  }
  // Now and then two neighbours swapped (reordering of a packet or so).
  for (let i = 0; i + 1 < sent.length; i++) {
    if (prng.chance(0.02)) [sent[i], sent[i + 1]] = [sent[i + 1]!, sent[i]!];
  }
  // A bogus number: on some streams one packet's chunk and stamp moved together, near or far.
  const realLast = sent.at(-1)!;
  if (bogusLast || prng.chance(0.05)) {
    const at = bogusLast ? sent.length : prng.int(sent.length + 1);
    const around = sent[Math.min(at, sent.length - 1)]!.packet;
    const offset = bogusLast || prng.chance(0.5)
      ? 1 + prng.int(6) // near: one to six packets past its place
      : 50 + prng.int(100000);
    const packet = around + offset;
    sent.splice(at, 0, { packet, chunk: packet + 1, stampMs: packet * lengthMs, bogus: true });
  }
  const { ordered } = boundStage(by === "timestamp" ? { orderBy: "timestamp" } : {});
  const bytes = 8 * lengthMs;
  const frames = [];
  for (const { packet, chunk, stampMs, bogus } of sent) {
    const level = bogus ? BOGUS_LEVEL : packet % BOGUS_LEVEL;
    frames.push(...ordered.push({
      sequence: chunk,
      timestampMs: stampMs,
      payload: encodeBase64(new Uint8Array(bytes).fill(levelCodeOf(level))),
    }));
  }
  frames.push(...ordered.flush());
  let realHeard = 0;
  let bogusHeard = 0;
  let lastHeard = false;
  for (const frame of frames) {
    const level = packetHeardIn(frame);
    if (level === undefined) continue;
    if (level === BOGUS_LEVEL) bogusHeard++;
    else {
      realHeard++;
      if (level === realLast.packet % BOGUS_LEVEL) lastHeard = true;
    }
  }
  const bogusArrived = sent.filter((s) => s.bogus).length;
  return {
    realArrived: sent.length - bogusArrived,
    realHeard,
    lastHeard,
    bogusArrived,
    bogusHeard,
  };
}

if (import.meta.main) {
  const args = Deno.args;
  const flag = (name: string, fallback: string) => {
    const at = args.indexOf(name);
    return at === -1 ? fallback : args[at + 1]!;
  };
  const streams = Number(flag("--streams", "2000"));
  const lengthMs = Number(flag("--length", "40"));
  const by = flag("--by", "sequence") as "sequence" | "timestamp";
  const bogusLast = args.includes("--bogus-last");
  let realArrived = 0, realHeard = 0, lastLost = 0, bogusArrived = 0, bogusHeard = 0;
  for (let seed = 1; seed <= streams; seed++) {
    const outcome = modelStream(seed, { lengthMs, by, bogusLast });
    realArrived += outcome.realArrived;
    realHeard += outcome.realHeard;
    if (!outcome.lastHeard) lastLost++;
    bogusArrived += outcome.bogusArrived;
    bogusHeard += outcome.bogusHeard;
  }
  console.log(
    `${streams} streams of ${lengthMs} ms packets by ${by}${bogusLast ? ", bogus last" : ""}: ` +
      `real heard ${realHeard} of ${realArrived}, last real lost in ${lastLost}, ` +
      `bogus heard ${bogusHeard} of ${bogusArrived}`,
  );
}
