/**
 * A `ws` client offering subprotocols, for the adapters' subprotocol tests: `ws` fails a
 * connection answered with a subprotocol it did not offer (RFC 6455, 4.1), as browsers do, and
 * also one that offered some and was answered none.
 *
 * @module
 */

import WebSocket from "ws";

/** What a `ws` client offering `offered` gets at `path`: the subprotocol agreed, or why it failed. */
export async function connectOffering(
  port: number,
  offered: string[],
  path = "/",
): Promise<string> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, offered);
  const outcome = await new Promise<string>((resolve) => {
    ws.once("open", () => resolve(`open "${ws.protocol}"`));
    ws.once("error", (error: Error) => resolve(`failed: ${error.message}`));
  });
  ws.terminate();
  return outcome;
}
