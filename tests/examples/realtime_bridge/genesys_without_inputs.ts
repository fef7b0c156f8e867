// A Genesys Audio Connector session whose `open` carries no `inputVariables`: the simulator's
// Genesys far end (src/simulator/far_ends/genesys.ts), which plays the bot's audio as the Audio
// Connector does, with that one field taken out of its `open`.
//
// Such an open is an Audio Connector's all the same. The Architect action that starts the session
// (Genesys Cloud Resource Center, "Call Audio Connector action", its Inputs row) has input
// variables only if the flow author defines some, and Genesys's own Audio Connector server
// (GenesysCloudBlueprints/audioconnector-server-reference-implementation) declares the field
// optional (src/protocol/message.ts, `OpenParameters`: `inputVariables?: JsonStringMap`) and reads
// it only if present (src/websocket/message-handlers/handlers/open-message-handler.ts). (The
// developer.genesys.cloud Audio Connector protocol page is not in the searchable docs.)
//
// On it the Genesys serializer's `sendAudio` choices part: `"auto"` takes an open without input
// variables for an AudioHook Monitor's, listen-only, and drops every byte of the bot's voice
// (src/serializers/genesys.ts, `#open` and `#audioOut`); `"always"` sends it. The `opened` is the
// same either way (the medium chosen, `startPaused`): what the caller hears is the difference.
import { GenesysFarEnd } from "../../../src/simulator/far_ends/genesys.ts";
import type { FarEndContext, FarEndFactory } from "../../../src/simulator/mod.ts";

/** The simulator's Genesys far end, its `open` without `inputVariables`. */
export const genesysWithoutInputs: FarEndFactory = (options) => new GenesysWithoutInputs(options);

class GenesysWithoutInputs extends GenesysFarEnd {
  override open(context: FarEndContext): void {
    super.open(withoutInputVariables(context));
  }
}

/**
 * `context`, its `send` taking `inputVariables` out of an `open`; everything else as it was (the
 * far end sends all its messages through the context it was opened with).
 */
function withoutInputVariables(context: FarEndContext): FarEndContext {
  const send = (message: string | Uint8Array): void => {
    if (typeof message === "string") {
      const parsed = JSON.parse(message);
      if (parsed.type === "open") {
        if (!("inputVariables" in parsed.parameters)) {
          // The far end's open changed: this file would no longer test what it says.
          throw new Error("the simulated Genesys open carries no inputVariables to take out");
        }
        delete parsed.parameters.inputVariables;
        return context.send(JSON.stringify(parsed));
      }
    }
    context.send(message);
  };
  return new Proxy(context, {
    get(target, name) {
      if (name === "send") return send;
      const value = Reflect.get(target, name, target);
      // Bound: a context's methods may read its private fields, which a proxy has none of.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
