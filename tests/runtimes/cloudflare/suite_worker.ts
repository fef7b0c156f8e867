/**
 * The behavioural suite's bot behind `@x/ws-transport/cloudflare` in a plain Worker, bundled by
 * `deno bundle` and run in workerd through Miniflare (see `../cloudflare_test.ts`).
 *
 * @module
 */

import { upgrade } from "../../../src/adapters/cloudflare.ts";
import { ADMISSION, BLAST_OPTIONS, ECHO_OPTIONS, logResponse, runBot } from "../behaviour/bot.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/log") return await logResponse(url);
    const options = url.pathname === "/ws-blast" ? BLAST_OPTIONS : ECHO_OPTIONS;
    const { transport, response } = await upgrade(request, { ...ADMISSION, ...options });
    if (transport) runBot(transport, url);
    return response;
  },
};
