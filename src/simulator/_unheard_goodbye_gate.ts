/**
 * The gate on a bot that hangs up over its own audio (`CallVerdictOptions.allowUnheardGoodbye`
 * turns it off; the CLI's `--allow-unheard-goodbye`): whether the bot ended the call while its
 * audio was still queued at the far end, unheard, said as a reason it failed. Internal to
 * `_judge_call.ts`, behind `judgeCall`: the one place that decides whether a call passed.
 *
 * @module
 */

import type { GateNames } from "./_gate_names.ts";
import type { CallReport } from "./report.ts";

/**
 * The bot's audio that may go unheard at its hang-up: one 20 ms packet, and 40 ms of network
 * jitter. A bot with no word of the far end's playout (no marks: Genesys, raw PCM) times its
 * hang-up by its own clock from when it sent its audio; the far end's playout began when the
 * audio arrived, and the hang-up arrives as late, so the trip's length cancels out and only its
 * variation is left (up to the 40 ms a telephony jitter buffer is sized for), plus the packet
 * a far end that plays in packets has begun but not finished. More than that is the end of a
 * sentence the caller did not hear.
 */
export const UNHEARD_TOLERANCE_MS = 60;

/**
 * Why `report` fails: the bot ended the call (`ended.by` `"bot"`: it closed the socket, or ended
 * the call within the protocol) with more than {@linkcode UNHEARD_TOLERANCE_MS} of its audible
 * audio still queued at the far end (`audio.unplayedAtEndMs`): a goodbye, or an answer, the
 * caller never heard. `null` otherwise: the caller's hang-up, the call's bound, a connection
 * that dropped and a clear (barge-in: cleared audio is not queued) are no such fault. The reason
 * names the setting that lets it pass as `names` do (the option, or the CLI's flag).
 */
export function unheardGoodbye(report: CallReport, names: GateNames): string | null {
  const { unplayedAtEndMs } = report.audio;
  if (report.ended.by !== "bot" || !(unplayedAtEndMs > UNHEARD_TOLERANCE_MS)) return null;
  const { receivedMs, playedMs } = report.audio;
  return `the bot hung up with ${unheardAmount(unplayedAtEndMs)} of its audio unheard (at ` +
    `${seconds(report.ended.atMs)}, with ${seconds(receivedMs)} received and ` +
    `${seconds(playedMs)} played): more than the ${UNHEARD_TOLERANCE_MS} ms a packet and ` +
    `jitter excuse (${names.allowUnheardGoodbye} lets it pass)`;
}

/**
 * An amount of unheard audio as the reason and the text report's audio line say it: under a
 * second in whole ms, rounded up ("0.00 s" would say none was lost), else in seconds.
 */
export function unheardAmount(ms: number): string {
  return ms < 1000 ? `${Math.ceil(ms)} ms` : seconds(ms);
}

/** Milliseconds as seconds to two places, as the text report writes times. */
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
