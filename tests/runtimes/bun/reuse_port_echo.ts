/**
 * The load benchmark's transport echo on Bun over several processes sharing one port
 * (`Bun.serve({ reusePort: true })`: the kernel spreads new connections over them): starts
 * `WORKERS` (default 2) `echo_server.ts --port P --reuse-port` processes on a free port, prints
 * `listening 127.0.0.1:P` once all listen, and stops them when its stdin closes. Extra arguments
 * (`--push`) go to each process. A session lives and ends in the process that accepted it.
 *
 * @module
 */

declare const Bun: {
  argv: string[];
  env: Record<string, string | undefined>;
  listen(options: {
    hostname: string;
    port: number;
    socket: { data(): void };
  }): { port: number; stop(): void };
  spawn(
    command: string[],
    options: { stdin: "pipe"; stdout: "pipe"; stderr: "inherit" },
  ): {
    stdout: ReadableStream<Uint8Array>;
    kill(signal?: string): void;
    exited: Promise<number>;
  };
};
declare const process: {
  execPath: string;
  stdin: { resume(): void; on(event: "end", listener: () => void): void };
  exit(code: number): never;
};

const workers = Number(Bun.env.WORKERS ?? 2);
// A free port to share: taken by a listener of our own, then let go for the workers.
const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
const port = probe.port;
probe.stop();

const script = new URL("./echo_server.ts", import.meta.url).pathname;
const children = Array.from(
  { length: workers },
  () =>
    Bun.spawn([
      process.execPath,
      "run",
      script,
      "--port",
      String(port),
      "--reuse-port",
      ...Bun.argv.slice(2),
    ], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "inherit",
    }),
);
// Each child prints its `listening` line once it is bound.
await Promise.all(children.map(async (child) => {
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("listening")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`a worker exited before listening: ${text}`);
    text += decoder.decode(value);
  }
  reader.releaseLock();
}));
console.log(`listening 127.0.0.1:${port}`);
process.stdin.on("end", async () => {
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((child) => child.exited));
  process.exit(0);
});
process.stdin.resume();
