// A bot's JSON command that chan_websocket cannot parse. asterisk/asterisk channels/chan_websocket.c
// (f0c1c1a7, August 2026) `handle_command` reads a JSON channel's command with
// `ast_json_load_buf`, which is Jansson's `json_loadb(buffer, buflen, 0, …)` (main/json.c): no
// flags. Jansson's src/load.c then refuses what JSON.stringify writes without complaint: a
// string or key holding U+0000 ("\u0000 is not allowed without JSON_ALLOW_NUL", "NUL byte in
// object key not supported"), a lone surrogate (`lex_scan_string`: "invalid Unicode '\uD800'"),
// and a whole number written in digits past a 64-bit integer (`lex_scan_number`: "too big
// integer"). Asterisk answers with ERROR "Unable to parse JSON command" and does nothing of it,
// so a PAUSE_MEDIA or CONTINUE_MEDIA so written was taken here as done.
import assert from "node:assert/strict";
import { TransportError } from "../../src/errors.ts";
import { startedChannel } from "./fixtures/asterisk_refusing_channel.ts";

Deno.test("`AsteriskSerializer` refuses, as an encode error, a JSON command Asterisk's parser (Jansson, no flags) cannot read", () => {
  const unreadable = [
    { command: "GET_STATUS", note: "a\u0000b" },
    { command: "GET_STATUS", ["a\u0000"]: 1 },
    { command: "PAUSE_MEDIA", note: "\ud800" },
    { command: "PAUSE_MEDIA", note: ["x\udc00"] },
    { command: "GET_STATUS", big: 2 ** 64 },
    { command: "GET_STATUS", big: { n: -(2 ** 64) } },
    // JSON.stringify writes -(2 ** 63), the int64 minimum, as "-9223372036854776000": past it.
    { command: "GET_STATUS", big: -(2 ** 63) },
  ];
  for (const message of unreadable) {
    const { asterisk } = startedChannel(true);
    assert.throws(
      () => asterisk.serialize({ type: "message", message }),
      (e) => e instanceof TransportError && e.code === "encode" && /Asterisk/.test(e.message),
      JSON.stringify(message),
    );
  }
});

Deno.test("`AsteriskSerializer` sends a JSON command Jansson reads: a surrogate pair, a 64-bit integer, a number past it written with an exponent", () => {
  const readable = [
    { command: "GET_STATUS", note: "\ud83d\ude00" },
    { command: "GET_STATUS", n: 2 ** 62 },
    { command: "GET_STATUS", n: -(2 ** 62) },
    { command: "GET_STATUS", n: 1e21 }, // "1e+21": a real to Jansson
    { command: "GET_STATUS", n: 1.5 },
  ];
  for (const message of readable) {
    const { asterisk } = startedChannel(true);
    assert.equal(asterisk.serialize({ type: "message", message }), JSON.stringify(message));
  }
});

Deno.test("`AsteriskSerializer` keeps the bot's pause unset when its unreadable PAUSE_MEDIA is refused", () => {
  const { asterisk } = startedChannel(true);
  assert.throws(() =>
    asterisk.serialize({ type: "message", message: { command: "PAUSE_MEDIA", note: "\u0000" } })
  );
  // Not paused: an interruption sends no CONTINUE_MEDIA after its flush.
  assert.deepEqual(asterisk.serialize({ type: "interruption" }), ['{"command":"FLUSH_MEDIA"}']);
});
