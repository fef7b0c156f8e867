// `serializerForProvider` is for "a server that knows the provider from the URL instead (`/twilio`,
// `/telnyx`, …)" (its JSDoc, src/serializers/detect_provider.ts): the name comes from a request a
// stranger made. A name no provider has returned `undefined`, which `serializer: undefined` in the
// transport's options takes for no option at all, so the stranger's socket got a session on the
// default `RawPcmSerializer` (README, Options: `serializer`, default `new RawPcmSerializer()`)
// instead of a refusal. It is a `RangeError` naming the name, as the module's other bad options are.
import assert from "node:assert/strict";
import {
  serializerForProvider,
  type TelephonyProvider,
} from "../../src/serializers/detect_provider.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";

Deno.test("`serializerForProvider` refuses a name no provider has with a RangeError naming it", () => {
  for (const name of ["favicon.ico", "Twilio", "", "__proto__", "constructor", "toString"]) {
    assert.throws(
      () => serializerForProvider(name as TelephonyProvider),
      (e) => e instanceof RangeError && e.message.includes(JSON.stringify(name)),
      name,
    );
  }
  assert.ok(serializerForProvider("twilio") instanceof TwilioSerializer);
});
