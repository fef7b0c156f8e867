/**
 * What the parameters of Genesys's `open` must hold, as Genesys's reference server checks them
 * before it acts on one: `isOpenParameters` and the validators it names (purecloudlabs/
 * audiohook-reference-implementation, app/audiohook/src/protocol/validators.ts; the fields are
 * `OpenParameters`, `Participant`, `MediaParameter` and `ContinuedSession` in protocol/message.ts
 * and core.ts, the same required ones the Audio Connector's own reference declares:
 * GenesysCloudBlueprints/audioconnector-server-reference-implementation, src/protocol/message.ts).
 * Its server answers an open that fails them as it answers any client message whose parameters
 * fail: `disconnect`, reason `error`, "Invalid Message: Invalid/missing parameters" (server/
 * serversessionimpl.ts, onTextMessage), before its open transaction begins. Internal to
 * `genesys.ts`, through the envelope's check (`_genesys_envelope.ts`).
 *
 * Apart from the other client messages' rules (`_genesys_client_parameters.ts`) because `open`'s
 * are a tree (a participant, a list of media offers, a list of continued sessions), and each
 * fault is named by its path (`participant.id`, `media[1].rate`): what Genesys logs for the admin
 * says which field of which offer was wrong.
 *
 * @module
 */

import { LANGUAGE_CODE } from "./_genesys_client_parameters.ts";
import { describe, isObject, isSequenceNumber, type JsonObject } from "./telephony/_json_value.ts";

/**
 * A UUID, or the nil UUID, exactly what the reference implementation's `isUuid` accepts
 * (protocol/validators.ts, `uuidRegex`): every message's `id`, and an open's organization,
 * conversation and participant ids.
 */
export const UUID =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|0{8}-0{4}-0{4}-0{4}-0{12})$/;

/** What is wrong with a value at `path` (`path` then the fault), or `undefined` when it is right. */
type Rule = (value: unknown, path: string) => string | undefined;

/** A rule from a test and what the value is not, said after the value as it came. */
function plain(test: (value: unknown) => boolean, what: string): Rule {
  return (value, path) => test(value) ? undefined : `${path} ${describe(value)} ${what}`;
}

const uuid = plain((v) => typeof v === "string" && UUID.test(v), "not a UUID");
const text = plain((v) => typeof v === "string", "not a string");
const sequenceNumber = plain(isSequenceNumber, "not a sequence number");

/**
 * An object whose `required` fields are present and right and whose `optional` ones are right
 * when present; other fields are free, as the reference's `makeValidator` leaves them. A field
 * set to `null` is present (and wrong), as there.
 */
function fields(
  what: string,
  required: Record<string, Rule>,
  optional: Record<string, Rule> = {},
): Rule {
  return (value, path) => {
    if (!isObject(value)) return `${path} ${describe(value)} not ${what}`;
    for (const [key, rule] of Object.entries(required)) {
      const field = Object.hasOwn(value, key) ? value[key] : undefined;
      if (field === undefined) return `${child(path, key)} missing`;
      const fault = rule(field, child(path, key));
      if (fault !== undefined) return fault;
    }
    for (const [key, rule] of Object.entries(optional)) {
      const field = Object.hasOwn(value, key) ? value[key] : undefined;
      if (field === undefined) continue;
      const fault = rule(field, child(path, key));
      if (fault !== undefined) return fault;
    }
    return undefined;
  };
}

/** The path of field `key` of the value at `path` (the parameters themselves are at ""). */
function child(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** A list whose every entry passes `entry`, each named by its index. */
function listOf(entry: Rule): Rule {
  return (value, path) => {
    if (!Array.isArray(value)) return `${path} ${describe(value)} not a list`;
    for (const [index, item] of value.entries()) {
      const fault = entry(item, `${path}[${index}]`);
      if (fault !== undefined) return fault;
    }
    return undefined;
  };
}

/**
 * One media offer, `MediaParameter` (core.ts; validators.ts, `isMediaParameter`), held to its
 * shape: a `type` and a `format` that are strings, `channels` a list of one or two strings, a
 * `rate` that is a number, every offer (as the reference's `isMediaParameters` holds every
 * entry). Its values are not held to the ones the protocol defines today (audio, PCMU or L16,
 * 8000 Hz, "external" and "internal"), as the reference holds them: an offer of a format or rate
 * Genesys may add is one the serializer does not take (`chooseMedia`), not a breach that would
 * refuse a call whose other offer it takes. The second deliberate difference from the reference.
 */
const mediaOffer = fields("an offer (an object)", {
  type: text,
  format: text,
  channels: plain(
    (v) =>
      Array.isArray(v) && v.length >= 1 && v.length <= 2 && v.every((c) => typeof c === "string"),
    "not a list of one or two channel names",
  ),
  rate: plain((v) => typeof v === "number" && Number.isFinite(v), "not a number"),
});

/**
 * The whole `open`: `OpenParameters` as `isOpenParameters` checks it, but for `language`.
 *
 * `language` is judged as a BCP 47 tag (`LANGUAGE_CODE`: `es-419`, `zh-Hant-TW`, `en` pass), not
 * by the reference's `languageCodeRegex` (a lower-case language and one 2–3 letter region), which
 * refuses tags Genesys Cloud's own languages include (`es-419`): refusing the open would cost the
 * call over the spelling of a value the serializer only hands the bot. The one deliberate
 * difference from the reference beside the media offers' values, as for `update`'s `language` (`_genesys_client_parameters.ts`).
 *
 * `inputVariables`, the Audio Connector's (`JsonStringMap` in its reference's `OpenParameters`),
 * is no field of the reference's and is checked by neither: free, as other fields are.
 */
const openParameters = fields(
  "an object",
  {
    organizationId: uuid,
    conversationId: uuid,
    participant: fields("a participant (an object)", {
      id: uuid,
      ani: text,
      aniName: text,
      dnis: text,
    }),
    media: listOf(mediaOffer),
  },
  {
    language: plain(
      (v) => typeof v === "string" && LANGUAGE_CODE.test(v),
      "not a language tag (such as en-US)",
    ),
    supportedLanguages: plain((v) => typeof v === "boolean", "not true or false"),
    continuedSessions: listOf(fields("a continued session (an object)", {
      id: uuid,
      clientseq: sequenceNumber,
      serverseq: sequenceNumber,
    })),
    customConfig: plain(isObject, "not an object"),
  },
);

/**
 * What is wrong with an `open`'s `parameters` (the first fault found, named by its path, as
 * "Invalid open parameters: participant.id missing"), or `undefined` when they pass.
 */
export function openParametersFault(parameters: JsonObject): string | undefined {
  const fault = openParameters(parameters, "");
  return fault === undefined ? undefined : `Invalid open parameters: ${fault}`;
}
