/**
 * What a serializer's audio helpers let go of once its session is over: resamplers' filter
 * history and the call's slabs (some 100 KB a call for a telephony serializer) that a transport
 * kept after its call, for its `stats`, would otherwise hold for nothing. They are reached
 * through the one object the transport hands every serializer at its set-up and that serializers
 * pass on to those helpers: its audio settings (`TelephonyAudio.setup`). A module of its own,
 * importing nothing at run time, so that the telephony kit takes none of the transport with it.
 *
 * @module
 */

import type { FrameSerializer, SerializerAudioSetup } from "./serializer.ts";

/** Each serving serializer's releases, by the serializer and by the audio settings it was handed. */
const releases = new WeakMap<FrameSerializer | SerializerAudioSetup, (() => void)[]>();

/** `serializer`'s session begins: it is set up with `audio`, made for that session alone. */
export function sessionBegins(serializer: FrameSerializer, audio: SerializerAudioSetup): void {
  const list: (() => void)[] = [];
  releases.set(serializer, list);
  releases.set(audio, list);
}

/**
 * `release` is called once the session whose serializer was set up with `audio` is over (after
 * the serializer's `finish` and its last decode), when nothing of the session uses the helper
 * any more. Audio settings no transport made (a serializer set up by hand) have no session:
 * nothing is registered.
 */
export function atSessionEnd(audio: SerializerAudioSetup, release: () => void): void {
  releases.get(audio)?.push(release);
}

/** `serializer`'s session is over: what its helpers registered is released, once. */
export function sessionEnded(serializer: FrameSerializer): void {
  const list = releases.get(serializer);
  releases.delete(serializer);
  // Emptied: the audio settings, which a serializer may keep, hold none of them any more.
  for (const release of list?.splice(0) ?? []) release();
}
