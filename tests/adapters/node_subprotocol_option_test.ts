// `upgradeHandler`'s `protocol` is checked where the listener is made, as its other options are:
// a value no client can offer (RFC 6455 §4.1: a subprotocol name is a non-empty token, U+0021 to
// U+007E without separators) would be answered to nobody, every client then upgraded with none.
import assert from "node:assert/strict";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "../../src/adapters/node.ts";

Deno.test("`upgradeHandler` throws a TypeError naming a `protocol` that is no subprotocol name", () => {
  const wss = new WebSocketServer({ noServer: true });
  try {
    for (const protocol of ["", "audio v1", "other,audio.v1", " audio.v1", "audio.v1\n"]) {
      assert.throws(
        () => upgradeHandler(wss as never, () => {}, { protocol }),
        (error) =>
          error instanceof TypeError && error.message.endsWith(`got ${JSON.stringify(protocol)}`),
        JSON.stringify(protocol),
      );
    }
    assert.throws(
      () => upgradeHandler(wss as never, () => {}, { protocol: 42 as never }),
      (error) => error instanceof TypeError && error.message.endsWith("got number"),
    );
    upgradeHandler(wss as never, () => {}, { protocol: "audio.jambonz.org" });
    upgradeHandler(wss as never, () => {}, { protocol: "media" });
  } finally {
    wss.close();
  }
});
