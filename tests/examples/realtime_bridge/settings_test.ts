// The realtime bridge's settings (examples/realtime-bridge/settings.ts), read from a plain map: what
// each setting takes, and that a setting which would do nothing as written is refused by name
// rather than ignored. realtime_bridge_test.ts shows main.ts turning these refusals into a message
// and exit status 2.
import assert from "node:assert/strict";
import { readSettings } from "../../../examples/realtime-bridge/settings.ts";

const REQUIRED = { OPENAI_API_KEY: "sk-test-key" };

function read(env: Record<string, string>) {
  return readSettings((name) => env[name]);
}

Deno.test("realtime-bridge settings: LOCAL_BARGE_IN is on with 1, off with 0, unset or empty", () => {
  assert.equal(read({ ...REQUIRED, LOCAL_BARGE_IN: "1" }).localBargeIn, true);
  assert.equal(read({ ...REQUIRED, LOCAL_BARGE_IN: "0" }).localBargeIn, false);
  assert.equal(read({ ...REQUIRED, LOCAL_BARGE_IN: "" }).localBargeIn, false);
  assert.equal(read(REQUIRED).localBargeIn, false);
});

Deno.test("realtime-bridge settings: LOCAL_BARGE_IN other than 1 or 0 is refused, not taken as off", () => {
  for (const value of ["true", "yes", "on", "false", "off", " 1", "1 ", "01", "2"]) {
    assert.throws(
      () => read({ ...REQUIRED, LOCAL_BARGE_IN: value }),
      (error: unknown) =>
        error instanceof RangeError &&
        error.message.startsWith("LOCAL_BARGE_IN takes 1 ") &&
        error.message.includes(" or 0 ") &&
        error.message.endsWith(`got ${JSON.stringify(value)}`),
      `LOCAL_BARGE_IN=${JSON.stringify(value)} was not refused by name`,
    );
  }
});

Deno.test("realtime-bridge settings: PLIVO_AUTH_ID without PLIVO_AUTH_TOKEN is refused, as it would hang nothing up", () => {
  assert.throws(
    () => read({ ...REQUIRED, PLIVO_AUTH_ID: "MA0000000000000000000" }),
    (error: unknown) =>
      error instanceof RangeError &&
      /^PLIVO_AUTH_ID is set without PLIVO_AUTH_TOKEN: /.test(error.message) &&
      // The id is an account name, not a secret, but nothing here needs to show it.
      !error.message.includes("MA0000000000000000000"),
  );
});

Deno.test("realtime-bridge settings: Plivo's token alone checks /plivo, with its id also hangs up", () => {
  // PLIVO_AUTH_TOKEN alone is the signature check (provider_checks.ts needs only the token);
  // the hang-up (main.ts gives PlivoSerializer both) is what the id adds.
  const tokenOnly = read({ ...REQUIRED, PLIVO_AUTH_TOKEN: "plivo-secret" });
  assert.equal(tokenOnly.plivoAuthToken, "plivo-secret");
  assert.equal(tokenOnly.plivoAuthId, undefined);
  const both = read({ ...REQUIRED, PLIVO_AUTH_ID: "MA1", PLIVO_AUTH_TOKEN: "plivo-secret" });
  assert.equal(both.plivoAuthId, "MA1");
  assert.equal(both.plivoAuthToken, "plivo-secret");
});

Deno.test("realtime-bridge settings: the single-value provider settings stand alone", () => {
  // Twilio's hang-up takes the account SID from the call's own `start` message and Telnyx's
  // Call Control authenticates with the API key alone: neither has a half to leave out.
  const settings = read({ ...REQUIRED, TWILIO_AUTH_TOKEN: "secret", TELNYX_API_KEY: "KEY0" });
  assert.equal(settings.twilioAuthToken, "secret");
  assert.equal(settings.telnyxApiKey, "KEY0");
});

Deno.test("realtime-bridge settings: OPENAI_REALTIME_URL takes a wss: URL, a ws: one to this machine, and is OpenAI's own unset or empty", () => {
  for (
    const url of [
      "wss://api.openai.com/v1/realtime",
      "wss://proxy.example/v1/realtime?model=gpt-realtime-mini",
      "wss://10.0.0.5:8443/v1/realtime",
      // ws: where the key never leaves the machine: a local test service, a local proxy.
      "ws://127.0.0.1:8080/v1/realtime",
      "ws://127.255.0.3/v1/realtime",
      "ws://localhost:8080/v1/realtime",
      "ws://LocalHost:8080/v1/realtime",
      "ws://[::1]:8080/v1/realtime",
      "ws://[0:0:0:0:0:0:0:1]/v1/realtime",
    ]
  ) {
    assert.equal(read({ ...REQUIRED, OPENAI_REALTIME_URL: url }).url, url);
  }
  assert.equal(read({ ...REQUIRED, OPENAI_REALTIME_URL: "" }).url, undefined);
  assert.equal(read(REQUIRED).url, undefined);
});

Deno.test("realtime-bridge settings: OPENAI_REALTIME_URL that no WebSocket opens is refused at start, with the URL meant where there is one", () => {
  // Each would let the bridge serve, then hang up every call: "the model is unavailable".
  const cases: [string, string | null][] = [
    ["https://api.openai.com/v1/realtime", "wss://api.openai.com/v1/realtime"],
    ["http://127.0.0.1:8080/v1/realtime", "ws://127.0.0.1:8080/v1/realtime"],
    // Spelled ws:, these would carry the key in clear off the machine: wss: is the URL meant.
    ["http://api.openai.com/v1/realtime", "wss://api.openai.com/v1/realtime"],
    ["ws://proxy.example/v1/realtime#model", "wss://proxy.example/v1/realtime"],
    ["wss://api.openai.com/v1/realtime#model", "wss://api.openai.com/v1/realtime"],
    ["wss://api.openai.com/v1/realtime#", "wss://api.openai.com/v1/realtime"],
    ["api.openai.com/v1/realtime", null],
    ["ftp://api.openai.com/v1/realtime", null],
    ["wss://", null],
  ];
  for (const [value, meant] of cases) {
    assert.throws(
      () => read({ ...REQUIRED, OPENAI_REALTIME_URL: value }),
      (error: unknown) =>
        error instanceof RangeError &&
        error.message.startsWith("OPENAI_REALTIME_URL must be a ws: or wss: URL") &&
        error.message.includes(`got ${JSON.stringify(value)}`) &&
        (meant === null
          ? !error.message.includes(": write ")
          : error.message.endsWith(`: write ${JSON.stringify(meant)}`)),
      `OPENAI_REALTIME_URL=${JSON.stringify(value)} was not refused as expected`,
    );
  }
});

Deno.test("realtime-bridge settings: OPENAI_REALTIME_URL as ws: to another machine is refused, as the API key would go in clear", () => {
  // The key is the handshake's `Authorization: Bearer` header (openai_realtime.ts), which ws:
  // sends unencrypted: only a host that names this machine keeps it off the network. An address
  // next to loopback is another machine, and a name that looks local is only as local as a
  // resolver (DNS, for nip.io) says.
  const cases: [string, string][] = [
    ["ws://api.openai.com/v1/realtime", "wss://api.openai.com/v1/realtime"],
    ["ws://10.0.0.5:8080/v1/realtime?model=m", "wss://10.0.0.5:8080/v1/realtime?model=m"],
    ["ws://128.0.0.1/v1/realtime", "wss://128.0.0.1/v1/realtime"],
    ["ws://localhost.example/v1/realtime", "wss://localhost.example/v1/realtime"],
    ["ws://127.0.0.1.nip.io/v1/realtime", "wss://127.0.0.1.nip.io/v1/realtime"],
    ["ws://[::2]:8080/v1/realtime", "wss://[::2]:8080/v1/realtime"],
  ];
  for (const [value, meant] of cases) {
    const host = new URL(value).host;
    assert.throws(
      () => read({ ...REQUIRED, OPENAI_REALTIME_URL: value }),
      (error: unknown) =>
        error instanceof RangeError &&
        error.message.startsWith(`OPENAI_REALTIME_URL must be a wss: URL to reach ${host}, `) &&
        error.message.includes(`got ${JSON.stringify(value)}`) &&
        // Why, and what ws: is still for.
        error.message.includes("the API key") && error.message.includes(" in clear") &&
        error.message.includes("localhost, 127.0.0.0/8, [::1]") &&
        error.message.endsWith(`: write ${JSON.stringify(meant)}`) &&
        !error.message.includes(REQUIRED.OPENAI_API_KEY),
      `OPENAI_REALTIME_URL=${JSON.stringify(value)} was not refused as sending the key in clear`,
    );
  }
});
