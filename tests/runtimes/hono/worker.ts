/**
 * The behavioural suite's Hono app on Cloudflare Workers (`hono/cloudflare-workers`), bundled
 * by `deno bundle` and run in workerd through Miniflare (see `../hono_test.ts`).
 *
 * @module
 */

import { upgradeWebSocket } from "hono/cloudflare-workers";
import { behaviourApp } from "./app.ts";

export default behaviourApp(upgradeWebSocket);
