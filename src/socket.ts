/**
 * The part of the standard `WebSocket` the transport uses, so a Deno socket, a Workers socket, a
 * `ws` socket and a test double all fit.
 *
 * @module
 */

/** The data of a `message` event, in every form the runtimes deliver. */
export type WebSocketData = string | ArrayBuffer | ArrayBufferView | Blob;

/** A standard WebSocket, structurally: what {@linkcode WebSocketTransport} needs of one. */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** The transport sets "arraybuffer" so binary messages never arrive as `Blob` where it can. */
  binaryType: string;
  /** Bytes queued but not yet sent; absent on Cloudflare Workers. */
  readonly bufferedAmount?: number;
  /**
   * Sends one text or binary message, reading the bytes before it returns, as the standard's
   * does: the transport hands on bytes it or the bot may reuse at once (a bot's one buffer for
   * every frame, a mixer's output). A socket whose runtime keeps them by reference while it
   * cannot write (`ws`) copies them.
   */
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /**
   * Drops the connection at once, without waiting for the peer's close frame. The transport
   * calls it when the closing handshake did not finish within `closeTimeoutMs`, so a peer that
   * never answers cannot hold the connection once `closed` has settled. Adapters provide it from
   * the runtime's own means (`ws`'s `terminate()`, …). Without it, a Deno `WebSocket` (from bare
   * `Deno.upgradeWebSocket`, or a client's) is dropped as the Deno adapter drops it; any other
   * socket waits on its runtime's own timeout.
   */
  terminate?(): void;
  // The listeners take `any`: runtimes declare their own `Event` (Node's types and the DOM's are
  // unrelated types of one name), and a structural interface must accept every one of them.
  /** Listens for "open", "message", "close" and "error". */
  // deno-lint-ignore no-explicit-any
  addEventListener(type: string, listener: (event: any) => void): void;
  /** Stops listening. */
  // deno-lint-ignore no-explicit-any
  removeEventListener(type: string, listener: (event: any) => void): void;
}

/** `readyState` values, named. */
export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;
