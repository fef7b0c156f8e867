/**
 * What an AudioHook `open` asks for and tells: the media offer the Genesys serializer accepts,
 * and the `start` frame it reports. Internal to `genesys.ts`.
 *
 * @module
 */

import type { StartFrame } from "../frames.ts";
import type { GenesysChannel } from "./genesys.ts";
import { isObject, type JsonObject } from "./telephony/_json_value.ts";
import { NIL_UUID } from "./_genesys_envelope.ts";
import { setOwnField } from "./_own_field.ts";

/** The accepted offer, as `opened` echoes it, and how to take the wanted channel from it. */
export interface ChosenMedia {
  /** The offer as `opened` lists it. */
  offer: JsonObject;
  /** Channels in the accepted media (1 or 2). */
  channels: number;
  /** Index of the wanted channel among them. */
  keep: number;
}

/**
 * A PCMU 8 kHz offer that carries `channel`: the first such mono offer, else the first such
 * stereo one. Mono first, where pipecat takes the first offer whatever it is: the bot hears one
 * party, and a mono offer of that party costs half the bytes and no de-interleaving, while a
 * stereo one sends the other party's audio only to be thrown away. The offers' order is not a
 * demand (the reference client accepts any offered entry), so preferring mono costs Genesys
 * nothing; when no mono offer of the channel exists the stereo one is taken and the channel kept.
 * Every offer is well formed by now: the envelope's check refuses an open with any malformed one
 * (`_genesys_open_parameters.ts`); of those, only PCMU audio at 8000 Hz on known channels is taken.
 */
export function chooseMedia(
  offers: readonly MediaOffer[],
  channel: GenesysChannel,
): ChosenMedia | undefined {
  const usable = offers.filter((offer) => takesOffer(offer) && offer.channels.includes(channel));
  const chosen = usable.find((offer) => offer.channels.length === 1) ?? usable[0];
  if (chosen === undefined) return undefined;
  return {
    offer: { type: "audio", format: "PCMU", channels: [...chosen.channels], rate: 8000 },
    channels: chosen.channels.length,
    keep: chosen.channels.indexOf(channel),
  };
}

/**
 * An offer the serializer takes: audio, PCMU, at 8000 Hz (the only rate AudioHook defines,
 * `MediaRate`), on channels it knows ("external", "internal": `MediaChannels`, core.ts). Others,
 * well formed but of values the protocol may add, are passed over.
 */
function takesOffer(offer: MediaOffer): boolean {
  return offer.type === "audio" && offer.format === "PCMU" && offer.rate === 8000 &&
    offer.channels.every((c) => c === "external" || c === "internal");
}

/**
 * A media offer of an open the envelope's check has passed: `MediaParameter` (purecloudlabs/
 * audiohook-reference-implementation, app/audiohook/src/protocol/core.ts).
 */
export interface MediaOffer {
  type: string;
  format: string;
  channels: string[];
  rate: number;
}

/**
 * Why {@linkcode chooseMedia} found no offer to accept, as the `disconnect` answering the `open`
 * says it to Genesys (its `info`, which Genesys logs: what the admin reads). An offer of PCMU
 * that lacks the wanted channel is told apart from no PCMU at all: an Audio Connector offers the
 * caller's channel alone ("Only the external audio channel is sent from the client to the
 * server", help.mypurecloud.com, "Audio Connector overview"), so a serializer set to
 * `channel: "internal"` is refused for its option, not for a format Genesys did offer. (An offer
 * that breaks the protocol never gets here: see {@linkcode chooseMedia}.)
 */
export function noMediaReason(offers: readonly MediaOffer[], channel: GenesysChannel): string {
  if (offers.some(takesOffer)) {
    return `no PCMU 8000 Hz media of the ${channel} channel offered (the channel option)`;
  }
  return "no PCMU 8000 Hz media offered";
}

/**
 * The `start` params an `open`'s own fields fill (`participantId` is the participant's `id`):
 * `organizationId`, `conversationId` and `participant` are required fields of the protocol's
 * `OpenParameters`, `language` an optional one (purecloudlabs/audiohook-reference-implementation,
 * app/audiohook/src/protocol/message.ts, `OpenParameters` and `Participant`). They are kept for
 * those fields even when the open leaves one out, so that what a bot reads under one of these
 * names is always Genesys's own value, never an entry of `customConfig` or `inputVariables`
 * that happens to share the name.
 */
export const OPEN_FIELD_PARAMS = [
  "organizationId",
  "conversationId",
  "participantId",
  "ani",
  "aniName",
  "dnis",
  "language",
] as const;

/**
 * The `open` fields whose entries are named by the customer, not by the protocol: `inputVariables`
 * are the Inputs of Architect's Call Audio Connector action, "name/value pairs" the flow author
 * chooses (help.mypurecloud.com, "Call Audio Connector action", Inputs), and `customConfig` the
 * integration's own JSON object (`OpenParameters.customConfig`). Every entry is a `start` param
 * under `<field>.<name>`, a key no other entry can take; `inputVariables` first, as a bare name
 * both carry is given to the flow's value (below).
 */
const CUSTOMER_MAPS = ["inputVariables", "customConfig"] as const;

/**
 * Whether a customer's entry may also be a `start` param under its bare name: not when the name is
 * one the open's own fields fill ({@linkcode OPEN_FIELD_PARAMS}), nor when it begins like a
 * `<field>.` key (`inputVariables.ani`), which would then read as another map's entry.
 */
function takesBareName(name: string): boolean {
  return !(OPEN_FIELD_PARAMS as readonly string[]).includes(name) &&
    !CUSTOMER_MAPS.some((map) => name.startsWith(`${map}.`));
}

/**
 * The `start` frame for an `open`: `streamId` the session id, `callId` the conversation id,
 * `params` the organization id, conversation id, participant `id` (as `participantId`) and
 * `ani`/`aniName`/`dnis`, `language`, then the `inputVariables` and `customConfig` entries
 * (non-strings as JSON; see below); `probe` when the conversation
 * or participant id is the nil UUID, which is how Genesys's connection probe opens (the reference
 * client's `--connection-probe`: it opens, is answered and closes, with no call behind it).
 *
 * The open's own values always win: the names the flow author and the integration choose are
 * free, so a flow variable may well be called `language` or `ani`, and were it merged over the
 * open's fields the bot would read it as Genesys's value, and lose that value, without a word.
 * So every entry is kept under `customConfig.<name>` or `inputVariables.<name>`, whatever its
 * name (a bot that needs its flow variable `language` reads `params["inputVariables.language"]`),
 * and also under its bare name when that is free: not one of {@linkcode OPEN_FIELD_PARAMS}, not
 * a `<field>.` key, and, for a `customConfig` entry, not the name of an `inputVariables` one (the
 * flow's value for this call over the integration's setting, which stays under
 * `customConfig.<name>`). Nothing the open carries is lost, and a bot that reads `<field>.<name>`
 * finds the entry there whatever else the open carries.
 */
export function openStartFrame(sessionId: string, parameters: JsonObject): StartFrame {
  const start: StartFrame = { type: "start", streamId: sessionId };
  const participant = isObject(parameters.participant) ? parameters.participant : {};
  if (parameters.conversationId === NIL_UUID || participant.id === NIL_UUID) start.probe = true;
  const params: Record<string, string> = {};
  const text = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    setOwnField(params, name, typeof value === "string" ? value : JSON.stringify(value));
  };
  if (typeof parameters.conversationId === "string") start.callId = parameters.conversationId;
  const own: Record<(typeof OPEN_FIELD_PARAMS)[number], unknown> = {
    organizationId: parameters.organizationId,
    conversationId: parameters.conversationId,
    participantId: participant.id,
    ani: participant.ani,
    aniName: participant.aniName,
    dnis: participant.dnis,
    language: parameters.language,
  };
  for (const name of OPEN_FIELD_PARAMS) text(name, own[name]);
  const entries = CUSTOMER_MAPS.map((map) => {
    const values = parameters[map];
    return [map, isObject(values) ? Object.entries(values) : []] as const;
  });
  for (const [map, list] of entries) {
    for (const [name, value] of list) text(`${map}.${name}`, value);
  }
  for (const [, list] of entries) {
    for (const [name, value] of list) {
      if (takesBareName(name) && !Object.hasOwn(params, name)) text(name, value);
    }
  }
  if (Object.keys(params).length > 0) start.params = params;
  return start;
}
