/**
 * The raw far end, except that it waits for a platform handshake the bot never answers: its
 * `ready()` never comes, so the caller never begins.
 *
 * @module
 */

import { FAR_ENDS, type FarEndFactory } from "../../src/simulator/mod.ts";

/** See the module doc; its protocol is named `"handshaking"`. */
export const neverReady: FarEndFactory = (options) => {
  const raw = FAR_ENDS.raw!(options);
  return {
    protocol: "handshaking",
    caller: raw.caller,
    playbackRate: raw.playbackRate,
    open(context) {
      raw.open({ ...context, ready() {/* waits for the bot's answer, which never comes */} });
    },
    receive: (data) => raw.receive(data),
    sendAudio: (samples) => raw.sendAudio(samples),
    sendDtmf: () => false,
    hangUp: () => raw.hangUp(),
  };
};
