/**
 * The report of an AudioHook client `error` message: Genesys says something went wrong on its
 * side (a 429 rate limit, a 500) before it closes with reason `error`. Internal to `genesys.ts`.
 *
 * Apart from the serializer because it only reads one message's parameters and words the
 * report; the session does nothing else with it (the message still reaches the bot, but for one
 * out of step while the session ends, which is reported only).
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import { describe, type JsonObject } from "./telephony/_json_value.ts";

/**
 * The "protocol" error a client `error` message reports: the reference implementation's
 * `ErrorParameters` (protocol/message.ts) are `code` (an HTTP-like status: 400, 405, 408, 409,
 * 413, 415, 429, 500, 503), `message` and, for a 429, `retryAfter` (a duration). A message in
 * step without them never gets here: the envelope's check refuses it as the reference server does
 * (`_genesys_client_parameters.ts`). One out of step while the session ends is not judged past
 * its number, and comes as it is: so what comes is read defensively, the report saying what came.
 */
export function clientError(parameters: JsonObject): TransportError {
  const { code, message, retryAfter } = parameters;
  const said = typeof message === "string" ? message : describe(message);
  const retry = typeof retryAfter === "string" ? ` (retry after ${retryAfter})` : "";
  const shown = typeof code === "number" ? code : describe(code);
  return new TransportError("protocol", `genesys: error ${shown}: ${said}${retry}`);
}
