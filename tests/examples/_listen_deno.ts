/**
 * Preloaded (`deno run --preload`) before a README server block: whatever address the block asks
 * `Deno.serve` for, it listens on 127.0.0.1 port 0 and prints `listening <port>`, so the test
 * finds it and no example ever needs port 8000 to be free.
 *
 * @module
 */

type ServeHandler = (request: Request, info: unknown) => Response | Promise<Response>;
type ServeOptions = Record<string, unknown> & {
  handler?: ServeHandler;
  onListen?: (address: Deno.NetAddr) => void;
};

const serve = Deno.serve as unknown as (options: ServeOptions, handler?: ServeHandler) => unknown;

Object.defineProperty(Deno, "serve", {
  configurable: true,
  writable: true,
  value(first: ServeOptions | ServeHandler, second?: ServeHandler) {
    const options = typeof first === "function" ? {} : first;
    const handler = typeof first === "function" ? first : second;
    const pinned: ServeOptions = {
      ...options,
      hostname: "127.0.0.1",
      port: 0,
      onListen(address: Deno.NetAddr) {
        console.log(`listening ${address.port}`);
        options.onListen?.(address);
      },
    };
    return handler ? serve(pinned, handler) : serve(pinned);
  },
});
