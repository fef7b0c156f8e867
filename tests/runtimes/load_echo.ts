/**
 * The echo every load-benchmark server runs (`load_runtimes.ts`): through the streams
 * (`readable.pipeTo(writable)`), or on the push surface (`receive` / `send`) when the server was
 * started with `--push`, so the adapters can be measured with and without the streams layer.
 *
 * @module
 */

import type { WebSocketTransport } from "../../mod.ts";

/** Echoes the session's audio back, through the streams or on the push surface. */
export function echo(transport: WebSocketTransport, args: readonly string[]): void {
  if (args.includes("--push")) {
    transport.receive((frame) => {
      if (frame.type === "audio") transport.send(frame);
    });
    return;
  }
  transport.readable.pipeTo(transport.writable).catch(() => {/* the peer went away */});
}
