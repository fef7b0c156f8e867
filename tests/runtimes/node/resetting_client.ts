/**
 * A client that asks to upgrade and then resets its connection (TCP RST) 10 ms on, run by Node
 * (`socket.resetAndDestroy()`: Deno's sockets cannot send a reset).
 *
 * @module
 */

const CLIENT = `
const [port, path, origin] = process.argv.slice(1);
const s = require("node:net").connect(Number(port), "127.0.0.1", () => {
  s.write("GET " + path + " HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n" +
    (origin ? "Origin: " + origin + "\\r\\n" : "") +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n");
  setTimeout(() => s.resetAndDestroy(), 10);
});
s.on("error", () => {});
`;

/** Upgrades `path` on 127.0.0.1:`port` (with `origin`, if given), resets, and waits for it to exit. */
export async function resetDuringUpgrade(port: number, path: string, origin = ""): Promise<void> {
  await new Deno.Command("node", { args: ["-e", CLIENT, String(port), path, origin] }).output();
}
