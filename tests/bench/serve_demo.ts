/**
 * The demo's handler as a `deno serve` module, for the load benchmark's `parallel` target
 * (`parallel_server.ts` runs it with `deno serve --parallel`). Every worker builds its own
 * handler: a session lives and ends in the worker that accepted its connection, so nothing is
 * shared between them. `DEMO_PORT` is the port the workers share (the demo answers only its own
 * origins).
 *
 * @module
 */

import { createDemoHandler } from "../../examples/demo/handler.ts";
import { demoOrigins } from "../../examples/demo/origins.ts";

const handler = createDemoHandler({
  origins: demoOrigins("127.0.0.1", Number(Deno.env.get("DEMO_PORT"))),
});

export default { fetch: handler } satisfies Deno.ServeDefaultExport;
