import { upgrade } from "../../src/adapters/deno.ts";
import { ADMISSION, logResponse, optionsFor, runBot } from "./behaviour/bot.ts";
import { behaviourSuite } from "./behaviour/suite.ts";

Deno.test("`upgrade` on Deno.serve passes the behavioural suite", async (t) => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/log") return await logResponse(url);
    const options = { ...ADMISSION, ...optionsFor(url.pathname) };
    const { transport, response } = await upgrade(request, options);
    if (transport) runBot(transport, url);
    return response;
  });
  try {
    await behaviourSuite(t, {
      port: server.addr.port,
      dropsStalledConnections: false,
      keepAlive: true,
    });
  } finally {
    await server.shutdown();
  }
});
