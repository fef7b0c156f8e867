/**
 * What a verdict's lines call the gates: `judgeCall`'s caller set them as options
 * (`requireAnswer`), the command line's user as flags (`--require-answer`). A line that names
 * a flag to a library user points at something they never typed, and the reverse.
 *
 * @module
 */

/** The names the gates' reasons give their settings. */
export interface GateNames {
  /** The bound on underrun time (`maxUnderrunTotalMs`, `--max-underrun-total`). */
  maxUnderrunTotal: string;
  /** Every utterance answered (`requireAnswer`, `--require-answer`). */
  requireAnswer: string;
  /** The hang-up left to the bot (`waitForBot`, `--wait-for-bot`). */
  waitForBot: string;
  /** The call's bound on its length (`maxDurationMs`, `--max-duration`). */
  maxDuration: string;
}

/** As `judgeCall`'s options and `simulateCall`'s name them: for a library user. */
export const OPTION_NAMES: GateNames = {
  maxUnderrunTotal: "maxUnderrunTotalMs",
  requireAnswer: "requireAnswer",
  waitForBot: "waitForBot",
  maxDuration: "maxDurationMs",
};

/** As the command line's flags: for whoever typed them. */
export const FLAG_NAMES: GateNames = {
  maxUnderrunTotal: "--max-underrun-total",
  requireAnswer: "--require-answer",
  waitForBot: "--wait-for-bot",
  maxDuration: "--max-duration",
};
