// A caller that stops answering: the bridge's call socket must not outlive the call. The far end
// here is a raw TCP client written from RFC 6455 (§4.1 the opening handshake, §5.2 framing, §5.3
// masking, §5.5.1 Close) that speaks Twilio's Media Streams messages (Twilio's "WebSocket
// Messages" page: `connected`, then `start` with the stream's `streamSid`), then never answers
// the bridge's Close: RFC 6455 §7.1.1 has the server close the TCP connection once the
// handshake is done, and a peer that never does it must not hold the connection for ever.
import assert from "node:assert/strict";
import { realtimeBridge } from "../../../examples/realtime-bridge/bridge.ts";
import type {
  RealtimeModel,
  RealtimeModelEvents,
} from "../../../examples/realtime-bridge/realtime_model.ts";
import { FakeClock } from "../../../src/testing/fake_clock.ts";
import { within } from "../../_ws_client.ts";
import { clientText } from "../../adapters/_raw_client_frame.ts";
import { closeBody, RawFrameReader } from "../../adapters/_raw_frame_reader.ts";
import { sendRawUpgrade } from "../../adapters/_raw_upgrade.ts";

/** A model that cannot be reached: the bridge hangs the call up at once (`bridge_call.ts`). */
class UnreachableModel implements RealtimeModel {
  readonly name = "unreachable";
  readonly inputSampleRate = 8000;
  readonly outputSampleRate = 8000;
  connect(_events: RealtimeModelEvents): Promise<void> {
    return Promise.reject(new Error("no route to the model"));
  }
  sendAudio(): void {}
  truncate(): void {}
  cancelResponse(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Upgrades `path` on a raw connection, says Twilio's documented first messages, and reads the
 * bridge's Close (the model is unreachable: it hangs up at once); then stays silent, and says
 * whether the bridge dropped the connection once `closeTimeoutMs` (500 ms of `clock`) passed.
 */
async function silentAfterClose(path: string): Promise<boolean> {
  const clock = new FakeClock();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    realtimeBridge({ model: () => new UnreachableModel(), transport: { clock } }),
  );
  const conn = await sendRawUpgrade(server.addr.port, "", "", "GET", "websocket", path);
  const reader = new RawFrameReader(conn);
  try {
    assert.equal(await reader.statusLine(), "HTTP/1.1 101 Switching Protocols");
    const streamSid = "MZ00000000000000000000000000000000";
    await conn.write(clientText(JSON.stringify({ event: "connected", protocol: "Call" })));
    await conn.write(clientText(JSON.stringify({
      event: "start",
      sequenceNumber: "1",
      start: {
        streamSid,
        callSid: "CA00000000000000000000000000000000",
        tracks: ["inbound"],
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      },
      streamSid,
    })));
    assert.ok(closeBody(await within(reader.frame(), 3000, "the bridge's close")));
    await clock.tick(500);
    return await within(reader.ended(), 3000, "the drop");
  } finally {
    try {
      conn.close();
    } catch {
      // Dropped by the server already.
    }
    await server.shutdown();
  }
}

Deno.test("the realtime bridge drops a named path's call connection whose caller never answers its Close", async () => {
  assert.equal(await silentAfterClose("/twilio"), true, "the silent caller held its connection");
});

Deno.test("the realtime bridge drops a detected call's connection whose caller never answers its Close", async () => {
  assert.equal(await silentAfterClose("/media"), true, "the silent caller held its connection");
});
