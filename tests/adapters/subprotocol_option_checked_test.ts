// A `protocol` that is no subprotocol name (RFC 6455 §4.1: a non-empty token, U+0021 to U+007E
// without separators) can be offered by no client, so every client would be answered none, the
// mistake unsaid. Node's `upgradeHandler` threw a TypeError naming it (node_subprotocol_option
// _test.ts); Deno's, Bun's and Workers' `upgrade` took it and answered none to every client. Now
// each rejects the upgrade with the same TypeError, before anything is answered (on Workers
// before `WebSocketPair` is touched, so this runs outside workerd too).
import assert from "node:assert/strict";
import { upgrade as denoUpgrade } from "../../src/adapters/deno.ts";
import { type BunServer, upgrade as bunUpgrade } from "../../src/adapters/bun.ts";
import { upgrade as cloudflareUpgrade } from "../../src/adapters/cloudflare.ts";
import { upgradeRequest } from "./_upgrade_request.ts";

/** An upgrade (RFC 6455, 4.1) offering two subprotocols, `audio.v1` among them. */
const offering = () => upgradeRequest({ headers: { "sec-websocket-protocol": "other, audio.v1" } });

const BAD: [protocol: unknown, named: string][] = [
  ["", '""'],
  ["audio v1", '"audio v1"'],
  ["other,audio.v1", '"other,audio.v1"'],
  [" audio.v1", '" audio.v1"'],
  [42, "number"],
];

const neverUpgrades: BunServer = { upgrade: () => assert.fail("a bad protocol upgrades nothing") };

const ADAPTERS = {
  Deno: (request: Request, protocol: unknown) => denoUpgrade(request, { protocol } as never),
  Bun: (request: Request, protocol: unknown) =>
    bunUpgrade(request, neverUpgrades, { protocol } as never),
  Cloudflare: (request: Request, protocol: unknown) =>
    cloudflareUpgrade(request, { protocol } as never),
};

for (const [runtime, upgrade] of Object.entries(ADAPTERS)) {
  Deno.test(`${runtime} \`upgrade\` rejects with a TypeError naming a \`protocol\` that is no subprotocol name`, async () => {
    for (const [protocol, named] of BAD) {
      await assert.rejects(
        upgrade(offering(), protocol),
        (error) =>
          error instanceof TypeError &&
          error.message.startsWith("protocol must be a subprotocol") &&
          error.message.endsWith(`got ${named}`),
        named,
      );
    }
  });
}
