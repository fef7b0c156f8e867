/**
 * The raw far end (far_ends/raw_pcm.ts: the bot's 16 kHz PCM16 played as it comes, no handshake)
 * with its `open` taken over, the shape every test of a far end of one's own builds on: a far end
 * that reports, hangs up or refuses as it opens, or one taught more once it is open.
 *
 * @module
 */

import { FAR_ENDS } from "../../src/simulator/far_ends.ts";
import type {
  FarEnd,
  FarEndContext,
  FarEndFactory,
  FarEndOptions,
} from "../../src/simulator/far_end.ts";

/**
 * The raw far end whose `open` is `open`: given the call's context, the far end, and the raw far
 * end's own `open`, which runs only if `open` calls it.
 */
export function rawOpenedAs(
  open: (context: FarEndContext, farEnd: FarEnd, rawOpen: (context: FarEndContext) => void) => void,
): FarEndFactory {
  return (options: FarEndOptions) => {
    const farEnd = FAR_ENDS.raw!(options);
    const rawOpen = farEnd.open.bind(farEnd);
    farEnd.open = (context) => open(context, farEnd, rawOpen);
    return farEnd;
  };
}

/** The raw far end, with `change` made to it once it is open (the raw far end's own `open` first). */
export function rawChangedOnOpen(
  change: (farEnd: FarEnd, context: FarEndContext) => void,
): FarEndFactory {
  return rawOpenedAs((context, farEnd, rawOpen) => {
    rawOpen(context);
    change(farEnd, context);
  });
}
