/**
 * What an AudioHook `open` asks for and tells: the media offer the Genesys serializer accepts,
 * and the `start` frame it reports. Internal to `genesys.ts`.
 *
 * @module
 */

import type { StartFrame } from "../frames.ts";
import type { GenesysChannel } from "./genesys.ts";
import { describe, isObject, type JsonObject } from "./telephony/_json_value.ts";
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
 */
export function chooseMedia(offers: unknown, channel: GenesysChannel): ChosenMedia | undefined {
  if (!Array.isArray(offers)) return undefined;
  const usable = offers.filter(isPcmuOffer).filter((offer) =>
    pcmuOfferFaults(offer).length === 0 && (offer.channels as unknown[]).includes(channel)
  );
  const chosen = usable.find((offer) => (offer.channels as unknown[]).length === 1) ?? usable[0];
  if (chosen === undefined) return undefined;
  const channels = chosen.channels as string[];
  return {
    offer: { type: "audio", format: "PCMU", channels: [...channels], rate: 8000 },
    channels: channels.length,
    keep: channels.indexOf(channel),
  };
}

/** An offer of PCMU audio, well formed or not: what the serializer would take if it were. */
function isPcmuOffer(offer: unknown): offer is JsonObject {
  return isObject(offer) && offer.type === "audio" && offer.format === "PCMU";
}

/**
 * What is wrong with a PCMU offer, field by field (none for a well-formed one), by the protocol's
 * own checks of a `MediaParameter`: `rate` is 8000, the only rate AudioHook defines, and
 * `channels` a list of one or two of "external" and "internal" (purecloudlabs/
 * audiohook-reference-implementation, app/audiohook/src/protocol/core.ts, `MediaRate` and
 * `MediaChannels`; validators.ts, `isMediaRate` and `isMediaChannels`).
 */
function pcmuOfferFaults(offer: JsonObject): string[] {
  const faults: string[] = [];
  // A field left out is said so: `describe` would print it as the word undefined.
  const given = (value: unknown) => value === undefined ? "none" : describe(value);
  if (offer.rate !== 8000) faults.push(`rate ${given(offer.rate)}, not 8000`);
  const channels = offer.channels;
  if (
    !Array.isArray(channels) || channels.length < 1 || channels.length > 2 ||
    !channels.every((c) => c === "external" || c === "internal")
  ) {
    faults.push(`channels ${given(channels)}, not one or two of "external" and "internal"`);
  }
  return faults;
}

/**
 * Why {@linkcode chooseMedia} found no offer to accept, as the `disconnect` answering the `open`
 * says it to Genesys (its `info`, which Genesys logs: what the admin reads). An offer of PCMU at
 * 8 kHz that lacks the wanted channel is told apart from no PCMU at all: an Audio Connector
 * offers the caller's channel alone ("Only the external audio channel is sent from the client to
 * the server", help.mypurecloud.com, "Audio Connector overview"), so a serializer set to
 * `channel: "internal"` is refused for its option, not for a format Genesys did offer. And both
 * from a PCMU offer that breaks the protocol (a rate other than 8000, channels that are no list
 * of one or two known ones): that one is the client's fault, named with what it offered, not
 * the channel option's, which no setting could have made fit. So is `media` that is no list
 * (one offer sent bare): the protocol's `OpenParameters.media` is a list of them.
 */
export function noMediaReason(offers: unknown, channel: GenesysChannel): string {
  // `media` must be a list (`isMediaParameters`): one offer sent bare, or none at all, is the
  // client's fault, named as such rather than as a format it may well have offered.
  if (!Array.isArray(offers)) {
    return offers === undefined
      ? "no media list offered: the open has none"
      : `no media list offered: media is ${describe(offers)}, not a list of offers`;
  }
  const pcmu = offers.filter(isPcmuOffer);
  const malformed = pcmu.map(pcmuOfferFaults).filter((faults) => faults.length > 0);
  if (pcmu.length > malformed.length) {
    return `no PCMU 8000 Hz media of the ${channel} channel offered (the channel option)`;
  }
  const [first] = malformed;
  if (first === undefined) return "no PCMU 8000 Hz media offered";
  const others = malformed.length - 1;
  if (others === 0) {
    return `no well-formed PCMU media offered: the PCMU offer has ${first.join(" and ")}`;
  }
  return `no well-formed PCMU media offered: the first PCMU offer has ${first.join(" and ")} ` +
    `(and ${others} more malformed PCMU offer${others === 1 ? "" : "s"})`;
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
