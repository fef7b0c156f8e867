/**
 * The demo under `deno serve --parallel` for the load benchmark: picks a free port on 127.0.0.1,
 * starts `deno serve --parallel` on it with `--workers N` workers (`DENO_JOBS`; default 2, this
 * machine's cores), waits until it accepts connections, and prints `listening 127.0.0.1:PORT`.
 * The kernel spreads new connections over the workers (`SO_REUSEPORT`); each session stays in the
 * worker that took it. The harness measures this wrapper together with its child. It exits, and
 * stops the child, when its stdin closes.
 *
 * Run: `deno run -A tests/bench/parallel_server.ts [--workers 2]`.
 *
 * @module
 */

import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: { workers: { type: "string", default: "2" } },
});
const workers = Number(values.workers);
if (!(Number.isInteger(workers) && workers >= 1)) {
  throw new RangeError(`--workers must be a whole number >= 1, got ${values.workers}`);
}

// A free port: bind to 0, read it, let it go (deno serve --parallel needs a fixed port to share).
const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const port = (probe.addr as Deno.NetAddr).port;
probe.close();

const child = new Deno.Command(Deno.execPath(), {
  args: [
    "serve",
    "-A",
    "--parallel",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    new URL("serve_demo.ts", import.meta.url).pathname,
  ],
  env: { DENO_JOBS: String(workers), DEMO_PORT: String(port) },
  stdin: "null",
  stdout: "null",
  stderr: "inherit",
}).spawn();

// Ready once it accepts a connection; bounded, so a server that never comes up fails loudly.
const deadline = Date.now() + 20_000;
for (;;) {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    break;
  } catch (error) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`deno serve --parallel did not listen on ${port} within 20 s`, {
        cause: error,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
console.log(`listening 127.0.0.1:${port}`);

for await (const _ of Deno.stdin.readable) { /* until the harness is gone */ }
child.kill("SIGKILL");
Deno.exit(0);
