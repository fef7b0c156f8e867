/**
 * A socket of one's own (`WebSocketLike`) that refuses to take a listener for one event type, as
 * a broken adapter might: for the tests of what a transport leaves on a socket it could not use.
 *
 * @module
 */

import { MemorySocketPair } from "../src/testing/mod.ts";

/** A socket that refuses listeners for `refused` (its own `WebSocketLike`); `listening` as added. */
export function refusingSocket(refused: string, pair = new MemorySocketPair({ connecting: true })) {
  const socket = pair.server;
  const listening = new Set<string>();
  const add = socket.addEventListener.bind(socket);
  const remove = socket.removeEventListener.bind(socket);
  socket.addEventListener = ((type: string, listener: EventListener) => {
    if (type === refused) throw new TypeError(`this socket has no ${type} events`);
    listening.add(type);
    add(type, listener);
  }) as typeof socket.addEventListener;
  socket.removeEventListener = ((type: string, listener: EventListener) => {
    listening.delete(type);
    remove(type, listener);
  }) as typeof socket.removeEventListener;
  return { pair, listening };
}
