/**
 * The behavioural suite's bot behind `@x/ws-transport/cloudflare` in a plain Worker, bundled by
 * `deno bundle` and run in workerd through Miniflare (see `../cloudflare_test.ts`).
 *
 * @module
 */

import { upgrade } from "../../../src/adapters/cloudflare.ts";
import { ADMISSION, logResponse, optionsFor, runBot } from "../behaviour/bot.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/log") return await logResponse(url);
    const options = { ...ADMISSION, ...optionsFor(url.pathname) };
    const { transport, response } = await upgrade(request, options);
    if (transport) runBot(transport, url);
    return response;
  },
};
