/**
 * What the simulator's words call the settings they are about: a verdict's lines (its gates) and
 * a call's ending (the bound that ended it). The library's caller set them as options
 * (`requireAnswer`, `maxDurationMs`), the command line's user as flags (`--require-answer`,
 * `--max-duration`). A line that names a flag to a library user points at something they never
 * typed, and the reverse. The one place that maps each option to its flag.
 *
 * @module
 */

/** The names the simulator's lines give the settings. */
export interface GateNames {
  /** The bound on underrun time (`maxUnderrunTotalMs`, `--max-underrun-total`). */
  maxUnderrunTotal: string;
  /** Every utterance answered (`requireAnswer`, `--require-answer`). */
  requireAnswer: string;
  /** The hang-up left to the bot (`waitForBot`, `--wait-for-bot`). */
  waitForBot: string;
  /**
   * The bot's hang-up over its own audio let pass (`allowUnheardGoodbye`,
   * `--allow-unheard-goodbye`).
   */
  allowUnheardGoodbye: string;
  /** The call's bound on its length (`maxDurationMs`, `--max-duration`). */
  maxDuration: string;
  /** The bound on the WebSocket's opening (`connectTimeoutMs`, `--connect-timeout`). */
  connectTimeout: string;
  /** The level above which sound is speech (`speechThresholdDbfs`, `--speech-threshold`). */
  speechThreshold: string;
  /** Where the speech in the caller's audio is (`speechSegments`, `--segments`). */
  speechSegments: string;
}

/** As `judgeCall`'s options and `simulateCall`'s name them: for a library user. */
export const OPTION_NAMES: GateNames = {
  maxUnderrunTotal: "maxUnderrunTotalMs",
  requireAnswer: "requireAnswer",
  waitForBot: "waitForBot",
  allowUnheardGoodbye: "allowUnheardGoodbye",
  maxDuration: "maxDurationMs",
  connectTimeout: "connectTimeoutMs",
  speechThreshold: "speechThresholdDbfs",
  speechSegments: "speechSegments",
};

/** As the command line's flags: for whoever typed them. */
export const FLAG_NAMES: GateNames = {
  maxUnderrunTotal: "--max-underrun-total",
  requireAnswer: "--require-answer",
  waitForBot: "--wait-for-bot",
  allowUnheardGoodbye: "--allow-unheard-goodbye",
  maxDuration: "--max-duration",
  connectTimeout: "--connect-timeout",
  speechThreshold: "--speech-threshold",
  speechSegments: "--segments",
};
