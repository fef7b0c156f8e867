/**
 * The echo every load-benchmark server runs (`load_runtimes.ts`): through the streams
 * (`readable.pipeTo(writable)`), or on the push surface (`receive` / `send`) when the server was
 * started with `--push`, so the adapters can be measured with and without the streams layer.
 *
 * @module
 */

import type { TransportOptions, WebSocketTransport } from "../../mod.ts";
import { ECHO_OPTIONS } from "./behaviour/bot.ts";

/**
 * The echo's transport options: {@linkcode ECHO_OPTIONS}, sending `--ahead-ms=N` ahead when the
 * server was started with it (`load_runtimes.ts` gives every target the floors' lead).
 */
export function echoOptions(args: readonly string[]): TransportOptions {
  const ahead = args.find((arg) => arg.startsWith("--ahead-ms="));
  if (ahead === undefined) return ECHO_OPTIONS;
  return { ...ECHO_OPTIONS, sendAheadMs: Number(ahead.slice("--ahead-ms=".length)) };
}

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
