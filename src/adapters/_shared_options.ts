/**
 * Options an adapter hands to every session it makes (a Hono route, Node's `upgradeHandler`):
 * checked once, where the route is made.
 *
 * @module
 */

import {
  type ResolvedTransportOptions,
  resolveTransportOptions,
  type TransportOptions,
} from "../transport_options.ts";
import { BackgroundAudio } from "../mixing/background_audio.ts";
import { type AdmissionOptions, checkAdmissionOptions } from "./_admission.ts";
import { checkShutdownOptions, type ShutdownOptions } from "./_shutdown.ts";

/**
 * Checks options that many sessions will share: a bad option throws its `RangeError` or
 * `TypeError` here, and
 * a serializer instance throws a `TypeError`, since it would serve every call, at once (their
 * stream ids and audio mixed up) or one after another (each starting with the last one's state),
 * where each session needs its own.
 *
 * Likewise a `BackgroundAudio` instance as `background`: it plays in one session (its `attach`
 * declines every other), so it would play in the route's first call only; a function that makes
 * one is taken. Another `OutboundMixer` instance is taken: a mixer of the application's own may
 * serve every session.
 */
export function checkSharedOptions(
  options: TransportOptions & AdmissionOptions & ShutdownOptions,
): ResolvedTransportOptions {
  checkAdmissionOptions(options);
  checkShutdownOptions(options);
  if (options.serializer !== undefined && typeof options.serializer !== "function") {
    throw new TypeError(
      "options shared by every session take a function that makes each session its serializer " +
        "(serializer: () => new TwilioSerializer()), not one instance for all of them",
    );
  }
  if (options.background instanceof BackgroundAudio) {
    throw new TypeError(
      "options shared by every session take a function that makes each session its background " +
        "(background: () => new BackgroundAudio(track)), not one BackgroundAudio for all of them: " +
        "it plays in one session",
    );
  }
  return resolveTransportOptions(options);
}
