/**
 * How `ws`, Bun and workerd say they refused a message over their size limit (`maxPayload`,
 * `maxPayloadLength`, workerd's 32 MiB) from its frame header, having sent the peer 1009
 * themselves: the adapters' sockets, direct or under Hono, turn it into the transport's own
 * refusal (`EventSocket.dispatchRefusal`), as the transport makes it itself on Deno.
 *
 * @module
 */

/** The `code` of the error `ws` emits (after it has closed with 1009). */
const WS_TOO_BIG = "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";

/** The close reason Bun gives its handler, with code 1006 (the peer was sent 1009). */
const BUN_TOO_BIG = "Received too big message";

/**
 * What workerd's error says when it refused a message over its own cap (32 MiB): "WebSocket
 * protocol error; protocolError.statusCode = 1009; protocolError.description = Message is too
 * large: …". It sends the peer 1009 and gives the socket an "error" and no "close".
 */
const WORKERD_TOO_BIG = "protocolError.statusCode = 1009;";

/** The refusal's message when `error` is `ws`'s for a message over `maxPayload`, else `undefined`. */
export function wsRefusal(error: unknown): string | undefined {
  if ((error as { code?: unknown } | null)?.code !== WS_TOO_BIG) return undefined;
  const detail = (error as { message?: unknown }).message;
  return `message over maxMessageBytes (or the server's lower maxPayload): ws refused it (${
    String(detail)
  }) and closed with 1009`;
}

/** The refusal's message when Bun closed for a message over `maxPayloadLength`, else `undefined`. */
export function bunRefusal(code: number, reason: string): string | undefined {
  if (code !== 1006 || reason !== BUN_TOO_BIG) return undefined;
  return `message over Bun's maxPayloadLength: Bun refused it (${reason}) and closed with 1009`;
}

/** The refusal's message when `event` is workerd's error for a message over its cap, else `undefined`. */
export function workerdRefusal(event: Event): string | undefined {
  const message = (event as Event & { message?: unknown }).message;
  if (typeof message !== "string" || !message.includes(WORKERD_TOO_BIG)) return undefined;
  return `message over workerd's own limit: workerd refused it (${message}) and closed with 1009`;
}
