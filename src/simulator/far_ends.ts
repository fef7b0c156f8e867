/**
 * The platforms the simulator can be, by name. A new protocol is a file under `far_ends/`
 * implementing {@linkcode FarEnd}, and one line here.
 *
 * @module
 */

import type { FarEnd, FarEndFactory, FarEndOptions } from "./far_end.ts";
import { ConversationRelayFarEnd } from "./far_ends/conversation_relay.ts";
import { AsteriskFarEnd } from "./far_ends/asterisk.ts";
import { ExotelFarEnd } from "./far_ends/exotel.ts";
import { FreeSwitchFarEnd } from "./far_ends/freeswitch.ts";
import { GenesysFarEnd } from "./far_ends/genesys.ts";
import { JambonzFarEnd } from "./far_ends/jambonz.ts";
import { PipecatFarEnd } from "./far_ends/pipecat.ts";
import { PlivoFarEnd } from "./far_ends/plivo.ts";
import { RawPcmFarEnd } from "./far_ends/raw_pcm.ts";
import { TelnyxFarEnd } from "./far_ends/telnyx.ts";
import { TwilioFarEnd } from "./far_ends/twilio.ts";
import { VonageFarEnd } from "./far_ends/vonage.ts";

/**
 * Every built-in platform: Twilio Media Streams, Telnyx, Plivo, Exotel, Vonage (Voice API
 * WebSocket), Genesys AudioHook, a pipecat client (protobuf + RTVI), raw PCM, SignalWire's
 * Twilio-compatible `<Stream>` (`sampleRate` 16000 or 24000 for its L16 codecs), ConversationRelay
 * as Twilio (`conversationrelay`) and Telnyx (`telnyx-conversationrelay`) run it (text both ways:
 * the platform does the speech); and the self-hosted ones: Asterisk `chan_websocket` (plain-text
 * and JSON control messages), jambonz `listen` and FreeSWITCH `mod_audio_fork`, both with
 * bidirectional streaming.
 *
 * @example Listing and making one
 * ```ts
 * import { FAR_ENDS } from "@x/ws-transport/simulator";
 * import assert from "node:assert/strict";
 *
 * assert.ok(Object.keys(FAR_ENDS).includes("twilio"));
 * const twilio = FAR_ENDS.twilio!({});
 * assert.deepEqual(twilio.caller, { sampleRate: 8000, frameMs: 20 });
 * ```
 */
export const FAR_ENDS: Readonly<Record<string, FarEndFactory>> = Object.freeze({
  twilio: (options: FarEndOptions): FarEnd => new TwilioFarEnd(options),
  telnyx: (options: FarEndOptions): FarEnd => new TelnyxFarEnd(options),
  plivo: (options: FarEndOptions): FarEnd => new PlivoFarEnd(options),
  exotel: (options: FarEndOptions): FarEnd => new ExotelFarEnd(options),
  vonage: (options: FarEndOptions): FarEnd => new VonageFarEnd(options),
  genesys: (options: FarEndOptions): FarEnd => new GenesysFarEnd(options),
  pipecat: (options: FarEndOptions): FarEnd => new PipecatFarEnd(options),
  raw: (options: FarEndOptions): FarEnd => new RawPcmFarEnd(options),
  signalwire: (options: FarEndOptions): FarEnd => new TwilioFarEnd(options, "signalwire"),
  conversationrelay: (options: FarEndOptions): FarEnd => new ConversationRelayFarEnd(options),
  "telnyx-conversationrelay": (options: FarEndOptions): FarEnd =>
    new ConversationRelayFarEnd(options, "telnyx"),
  // Self-hosted platforms.
  asterisk: (options: FarEndOptions): FarEnd => new AsteriskFarEnd(options),
  "asterisk-json": (options: FarEndOptions): FarEnd =>
    new AsteriskFarEnd(options, { controlFormat: "json" }),
  jambonz: (options: FarEndOptions): FarEnd => new JambonzFarEnd(options),
  freeswitch: (options: FarEndOptions): FarEnd => new FreeSwitchFarEnd(options),
});
