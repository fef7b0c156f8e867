/**
 * What the parameters of each AudioHook client message the protocol defines must hold, as Genesys's
 * reference server checks them before it acts on one: a `resumed` without its durations, an
 * `error` without its `code` and `message` and the like are refused (a `close` without a known
 * `reason` only reported: the serializer answers every close) (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/protocol/
 * validators.ts, `clientMessageChecker` and the `is…Parameters` it names; its server answers a
 * failure with `disconnect`, reason `error`, "Invalid Message: Invalid/missing parameters":
 * server/serversessionimpl.ts, onTextMessage). Internal to `genesys.ts`.
 *
 * Apart from the envelope because it is the protocol's vocabulary, one rule a message type, not
 * its numbering. Only types the reference knows are checked: the Audio Connector's own (`dtmf`,
 * `playback_started`, `playback_completed`) and anything else reach the serializer as before.
 *
 * @module
 */

import { describe, isObject, type JsonObject } from "./telephony/_json_value.ts";

/**
 * An ISO 8601 duration in seconds (`PT1.5S`, `PT.5S`): the reference's `isDuration`
 * (validators.ts, `durationRegex`).
 */
export const DURATION = /^PT(?:\d*\.)?\d+S$/;

/**
 * A language tag such as `en-US`: BCP 47's form (a 2–3 letter language, then subtags of 1–8
 * letters or digits), wider than the reference's `isLanguageCode` (`languageCodeRegex`, a language
 * and one 2–3 letter region), which refuses tags Genesys Cloud's languages include (`es-419`,
 * `zh-Hant-TW`): an `update` ending the call over its language's spelling would cost a call for
 * nothing the serializer reads.
 */
export const LANGUAGE_CODE = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;

/** The reasons a `close` may give: the reference's `isCloseReason` (protocol/message.ts, `CloseReason`). */
const CLOSE_REASONS = ["disconnect", "end", "error", "reconnect"];

/** One field's rule: what is wrong with its value, or `undefined` when it is right. */
type FieldRule = (value: unknown) => string | undefined;

const duration: FieldRule = (value) =>
  typeof value === "string" && DURATION.test(value) ? undefined : "not a duration";

/**
 * Each client type the reference knows, with its fields: required ones must be present and
 * right, optional ones right when present; other fields are free, as the reference's
 * `makeValidator` leaves them. `open` is not here: its parameters are a tree, checked by
 * `_genesys_open_parameters.ts`.
 */
const CLIENT_PARAMETERS: Readonly<
  Record<string, { required?: Record<string, FieldRule>; optional?: Record<string, FieldRule> }>
> = {
  close: {
    required: {
      reason: (value) =>
        typeof value === "string" && CLOSE_REASONS.includes(value)
          ? undefined
          : `not one of ${CLOSE_REASONS.join(", ")}`,
    },
  },
  discarded: { required: { start: duration, discarded: duration } },
  error: {
    required: {
      // `isErrorCode`: a whole number from 400 to 9999.
      code: (value) =>
        typeof value === "number" && Number.isInteger(value) && value >= 400 && value < 10_000
          ? undefined
          : "not an error code (a whole number from 400 to 9999)",
      message: (value) => typeof value === "string" ? undefined : "not a string",
    },
    optional: { retryAfter: duration },
  },
  paused: {},
  ping: { optional: { rtt: duration } },
  resumed: { required: { start: duration, discarded: duration } },
  update: {
    // Required by the reference's `UpdateParameters`, optional in the Audio Connector's
    // (GenesysCloudBlueprints/audioconnector-server-reference-implementation, src/protocol/
    // message.ts, `UpdateParameters`): an Audio Connector's `update` without it is taken.
    optional: {
      language: (value) =>
        typeof value === "string" && LANGUAGE_CODE.test(value)
          ? undefined
          : "not a language code (such as en-US)",
    },
  },
};

/**
 * What is wrong with the `parameters` of a client message of `type` (the first fault found), or
 * `undefined` when they pass, or the type is one the reference does not check.
 */
export function clientParametersFault(type: string, parameters: JsonObject): string | undefined {
  if (!Object.hasOwn(CLIENT_PARAMETERS, type)) return undefined;
  const { required = {}, optional = {} } = CLIENT_PARAMETERS[type]!;
  for (const [key, rule] of Object.entries(required)) {
    const value = Object.hasOwn(parameters, key) ? parameters[key] : undefined;
    if (value === undefined) return `Invalid ${type} parameters: ${key} missing`;
    const fault = rule(value);
    if (fault !== undefined) {
      return `Invalid ${type} parameters: ${key} ${describe(value)} ${fault}`;
    }
  }
  for (const [key, rule] of Object.entries(optional)) {
    const value = Object.hasOwn(parameters, key) ? parameters[key] : undefined;
    if (value === undefined) continue;
    const fault = rule(value);
    if (fault !== undefined) {
      return `Invalid ${type} parameters: ${key} ${describe(value)} ${fault}`;
    }
  }
  return undefined;
}

/**
 * What is wrong with the `parameters` of a `close` as it came (`given`: absent or no object, or
 * lacking a known `reason`), or `undefined` when they pass. The envelope's check leaves a close's
 * parameters to the serializer, which answers a close whatever they are (Genesys waits for our
 * `closed`) and reports this.
 */
export function closeParametersFault(given: unknown): string | undefined {
  if (given === undefined) return "Missing parameters";
  if (!isObject(given)) return `parameters are not an object: ${describe(given)}`;
  return clientParametersFault("close", given);
}
