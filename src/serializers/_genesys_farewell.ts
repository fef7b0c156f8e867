/**
 * The Genesys session's last message of ours, `disconnect` or `closed`, and the Architect flow's
 * output variables it hands back. Internal to `genesys.ts`.
 *
 * Apart from the serializer because fitting that message is a rule of its own: it must reach
 * Genesys whatever it carries (else the call ends with an error, or the client's close
 * transaction times out), so what would make it too long is left out, counted and reported,
 * never the message itself. When the session ends is the serializer's to say; what it says
 * then is made here.
 *
 * @module
 */

import { TransportError } from "../errors.ts";
import { utf8Length } from "../_utf8_length.ts";
import type { SerializerContext } from "../serializer.ts";
import { type GenesysEnvelope, MAX_TEXT_BYTES } from "./_genesys_envelope.ts";
import { toJson } from "./_to_json.ts";
import type { JsonObject } from "./telephony/_json_value.ts";

/** The session's goodbye and its output variables (see the module doc). */
export class GenesysFarewell {
  readonly #envelope: GenesysEnvelope;
  #variables: Record<string, string> | undefined;
  #context: SerializerContext | undefined;

  /** Numbers its messages in the session's `envelope`. */
  constructor(envelope: GenesysEnvelope) {
    this.#envelope = envelope;
  }

  /** Keeps the transport's context: what a message goes without is counted and reported there. */
  bind(context: SerializerContext): void {
    this.#context = context;
  }

  /**
   * Keeps the variables, a copy, once checked: a map of strings (`TypeError`), whose JSON alone
   * fits in a message to Genesys (`RangeError`). See `GenesysSerializer.setOutputVariables`.
   */
  setOutputVariables(variables: Record<string, string>): void {
    for (const [name, value] of Object.entries(variables)) {
      if (typeof value !== "string") {
        throw new TypeError(`outputVariables.${name} must be a string, got ${typeof value}`);
      }
    }
    const bytes = utf8Length(toJson(variables));
    if (bytes > MAX_TEXT_BYTES) {
      throw new RangeError(
        `outputVariables are ${bytes} bytes of JSON: no message to Genesys holds over ` +
          `${MAX_TEXT_BYTES}`,
      );
    }
    this.#variables = { ...variables };
  }

  /**
   * The `disconnect` that ends the session (`reason`, and `info` the end's reason). An `info`
   * that alone makes it longer than the 65,535 bytes Genesys takes is left out, counted and
   * reported, as output variables are (see {@linkcode message}): the call still ends cleanly.
   * Measured alone, so that the variables, which the flow reads, do not go for it.
   */
  disconnect(info: string | undefined, reason: string): string {
    const parameters: JsonObject = { reason };
    if (info !== undefined) {
      parameters.info = info;
      if (utf8Length(this.#envelope.text("disconnect", parameters)) > MAX_TEXT_BYTES) {
        delete parameters.info;
        this.#leftOut(
          "disconnect",
          `info (${utf8Length(toJson(info))} bytes of JSON), the end's reason`,
          "it",
        );
      }
    }
    return this.message("disconnect", parameters);
  }

  /**
   * The session's last message of ours, `disconnect` or `closed`, with the output variables when
   * they fit: a message over the 65,535 bytes Genesys takes would not hand them back either (its
   * reference client answers it with a fatal error 413 and its close transaction, and a `closed`
   * it cannot take leaves that transaction to time out), and would end the call with an error.
   * Then it goes without them, the call ends cleanly, and the drop is counted in `encodeErrors`
   * and reported. Not trimmed: the flow could not tell a part of them from the whole.
   */
  message(type: "disconnect" | "closed", parameters: JsonObject): string {
    const variables = this.#variables;
    if (variables !== undefined) {
      try {
        return this.#envelope.take(
          type,
          { ...parameters, outputVariables: variables },
          MAX_TEXT_BYTES,
        );
      } catch (error) {
        if (!(error instanceof TransportError)) throw error;
        this.#leftOut(
          type,
          `outputVariables (${utf8Length(toJson(variables))} bytes of JSON), the Architect flow ` +
            "gets none",
          "them",
        );
      }
    }
    return this.#envelope.take(type, parameters);
  }

  /** Counts and reports what the session's last message of ours goes without, to fit. */
  #leftOut(type: "disconnect" | "closed", what: string, pronoun: string): void {
    this.#context?.count("encodeErrors");
    this.#context?.report(
      new TransportError(
        "encode",
        `genesys: ${type} sent without its ${what}: with ${pronoun} it is over the ` +
          `${MAX_TEXT_BYTES} bytes Genesys takes`,
      ),
    );
  }
}
