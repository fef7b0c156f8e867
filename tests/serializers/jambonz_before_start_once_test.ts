// jambonz input before the call's first message is a decode error, and was thrown for every
// binary message: a call whose first message never parses raised one error event per 20 ms of
// audio for the whole call. It is reported once, the rest counted in decodeErrors (as the
// serializer's other refusals). A real cause: mod_audio_fork keeps 8192 bytes of the listen
// verb's metadata (MAX_METADATA_LEN, strncpy), so a large `metadata` or `customerData` arrives
// cut, no JSON; jambonz puts sampleRate, mixType and the call's attributes first, so the call
// starts on what came before the cut, reported once, and its audio flows.
import assert from "node:assert/strict";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import type { Frame } from "../../src/frames.ts";
import type { TransportError } from "../../src/errors.ts";
import { narrowbandCall } from "./fixtures/narrowband_call.ts";

async function call(first: string | undefined) {
  const { clock, pair, transport } = narrowbandCall(new JambonzSerializer());
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
  const frames: Frame[] = [];
  transport.receive((frame) => void frames.push(frame));
  await clock.tick(5);
  if (first !== undefined) pair.client.send(first);
  for (let i = 0; i < 50; i++) { // a second of the caller's audio
    pair.client.send(new Uint8Array(320));
    await clock.tick(20);
  }
  const decodeErrors = transport.stats.decodeErrors;
  await transport.close();
  await clock.tick(1000);
  return { errors, frames, decodeErrors };
}

Deno.test("`JambonzSerializer`: audio with no first message is reported once, the rest counted", async () => {
  const { errors, frames, decodeErrors } = await call(undefined);
  assert.equal(errors.length, 1, errors.map((e) => e.message).join("\n"));
  assert.equal(errors[0]!.code, "decode");
  assert.match(errors[0]!.message, /320 bytes of audio before the call's first message/);
  assert.equal(decodeErrors, 50);
  assert.equal(frames.filter((f) => f.type === "audio").length, 0);
});

Deno.test("`JambonzSerializer`: a first message that is not JSON is reported once, the audio after it counted", async () => {
  const { errors, decodeErrors } = await call("{not json");
  assert.equal(errors.length, 1, errors.map((e) => e.message).join("\n"));
  assert.equal(errors[0]!.code, "decode");
  assert.equal(decodeErrors, 51);
});

Deno.test("`JambonzSerializer`: a first message cut at mod_audio_fork's 8192 bytes starts the call on what came before the cut", async () => {
  const metadata = JSON.stringify({
    sampleRate: 8000,
    mixType: "mono",
    callSid: "c1",
    accountSid: "a1",
    customerData: { notes: "x".repeat(9000) },
  });
  const { errors, frames, decodeErrors } = await call(metadata.slice(0, 8192));
  assert.equal(errors.length, 1, errors.map((e) => e.message).join("\n"));
  assert.equal(errors[0]!.code, "decode");
  assert.match(
    errors[0]!.message,
    /cut after 8192 characters .*sampleRate, mixType, callSid, accountSid\)/,
  );
  assert.equal(decodeErrors, 1);
  assert.deepEqual(frames[0], {
    type: "start",
    callId: "c1",
    params: { sampleRate: "8000", mixType: "mono", callSid: "c1", accountSid: "a1" },
  });
  assert.equal(frames.filter((f) => f.type === "audio").length > 0, true, "the audio flows");
});

Deno.test("`JambonzSerializer`: a cut first message that still cannot start the call is one decode error, the start's", async () => {
  const cut = '{"sampleRate":8000,"mixType":"mono","callSid":5,"metadata":{"x":"cut her';
  const { errors, frames } = await call(cut);
  assert.equal(errors.length, 1, errors.map((e) => e.message).join("\n"));
  assert.match(errors[0]!.message, /callSid/);
  assert.doesNotMatch(errors[0]!.message, /the call goes on/);
  assert.equal(frames.filter((f) => f.type === "start").length, 0);
});

Deno.test("`JambonzSerializer`: a first message no cut of mod_audio_fork's is looked at once, not once per member", () => {
  // Never closed, a member boundary every four characters: each a candidate cut.
  const members = (n: number) => `{"sampleRate":8000,"mixType":"mono","x":[${'"a",'.repeat(n)}"a"`;
  const parse = JSON.parse;
  // Under the module's 8192 bytes, a cut one (in "x"): the call starts on the members before it;
  // over them, no cut of the module's: not JSON.
  for (const [text, starts] of [[members(2000), true], [members(16_000), false]] as const) {
    let parses = 0;
    let frame: unknown;
    JSON.parse = (...args: Parameters<typeof JSON.parse>) => (parses++, parse(...args));
    try {
      frame = new JambonzSerializer().deserialize(text);
    } catch (error) {
      frame = error;
    } finally {
      JSON.parse = parse;
    }
    assert.equal((frame as { type?: string }).type === "start", starts, String(frame));
    assert.ok(parses <= 2, `${text.length} characters: ${parses} parses`);
  }
});
