/**
 * Preloaded (`bun run --preload`) before a README server block: whatever address the block asks
 * `Bun.serve` for, it listens on 127.0.0.1 port 0 and prints `listening <port>`, so the test
 * finds it and no example ever needs port 8000 to be free.
 *
 * @module
 */

declare const Bun: { serve(options: Record<string, unknown>): { port: number } };

const serve = Bun.serve.bind(Bun);
Bun.serve = (options) => {
  const server = serve({ ...options, hostname: "127.0.0.1", port: 0 });
  console.log(`listening ${server.port}`);
  return server;
};
