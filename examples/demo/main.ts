/**
 * The voice echo demo: `npm start` (or `deno task start`) serves it on http://127.0.0.1:8000.
 * Open the page, click Talk, and hear yourself back through `@x/ws-transport`.
 *
 * @module
 */

import { createDemoHandler } from "./handler.ts";

const handler = createDemoHandler({ log: console.log });

export default {
  fetch(request) {
    return handler(request);
  },
} satisfies Deno.ServeDefaultExport;
