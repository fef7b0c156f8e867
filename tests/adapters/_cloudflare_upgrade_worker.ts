/** A Worker that upgrades every request with the Cloudflare adapter and echoes its session. */
import { upgrade } from "../../src/adapters/cloudflare.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    const { transport, response } = await upgrade(request, {
      audioIn: { sampleRate: 16000 },
      audioOut: { sampleRate: 16000 },
    });
    transport?.readable.pipeTo(transport.writable).catch(() => {});
    return response;
  },
};
