// The examples/twilio bridge end to end over a real socket, with a test client playing Twilio: the
// messages it sends are Twilio's Media Streams messages as documented in "Media Streams -
// WebSocket Messages" (connected, start, media, dtmf, stop; mark, clear and media going back).
import assert from "node:assert/strict";
import { twilioBridge } from "../../examples/twilio/bridge.ts";
import { MULAW_SILENCE_20MS, twilioIds } from "../serializers/fixtures/twilio_call.ts";
import { WsClient } from "../_ws_client.ts";
import { upgradeRequest } from "../adapters/_upgrade_request.ts";
import { refusedStart, serveMain } from "./_example_main.ts";

Deno.test("examples/twilio answers with Connect Stream TwiML and echoes a call, beeping on DTMF", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, twilioBridge());
  const base = `127.0.0.1:${server.addr.port}`;
  try {
    const twiml = await (await fetch(`http://${base}/twiml`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "From=%2B15551230000",
    })).text();
    assert.match(twiml, /<Connect>\s*<Stream url="wss:\/\/127\.0\.0\.1:\d+\/media">/);
    assert.match(twiml, /<Parameter name="caller" value="\+15551230000"\/>/);
    assert.equal(
      await fetch(`http://${base}/media`).then(async (r) => (await r.body?.cancel(), r.status)),
      426,
    );

    const twilio = await WsClient.open(`ws://${base}/media`);
    twilio.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
    twilio.send(JSON.stringify({
      event: "start",
      sequenceNumber: "1",
      streamSid: twilioIds.stream,
      start: {
        streamSid: twilioIds.stream,
        callSid: twilioIds.call,
        accountSid: twilioIds.account,
        customParameters: {},
      },
    }));
    for (let i = 0; i < 10; i++) {
      twilio.send(
        JSON.stringify({
          event: "media",
          streamSid: twilioIds.stream,
          media: { track: "inbound", payload: MULAW_SILENCE_20MS },
        }),
      );
    }
    const media = await twilio.nextJson((m) => m.event === "media", { from: 0 });
    assert.equal(media.streamSid, twilioIds.stream);

    const dtmfAt = twilio.received.length;
    twilio.send(
      JSON.stringify({
        event: "dtmf",
        streamSid: twilioIds.stream,
        dtmf: { track: "inbound_track", digit: "5" },
      }),
    );
    // A beep is loud: μ-law codes far from the silent 0xFF/0x7F.
    await twilio.nextJson((m) => {
      if (m.event !== "media") return false;
      const bytes = Uint8Array.fromBase64((m.media as { payload: string }).payload);
      return bytes.some((b) => (b & 0x7f) < 0x40);
    }, { from: dtmfAt });
    // The bot's own mark; the transport's playout marks (`__wst:…`) go by as well.
    const ownMark = (m: Record<string, unknown>) =>
      m.event === "mark" && !(m.mark as { name: string }).name.startsWith("__wst:");
    assert.deepEqual(await twilio.nextJson(ownMark, { from: dtmfAt }), {
      event: "mark",
      streamSid: twilioIds.stream,
      mark: { name: "beep-5" },
    });

    twilio.send(
      JSON.stringify({
        event: "stop",
        streamSid: twilioIds.stream,
        stop: { callSid: twilioIds.call },
      }),
    );
    await twilio.close();
  } finally {
    await server.shutdown();
  }
});

async function twilioSign(token: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(token),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)))
    .toBase64();
}

Deno.test("examples/twilio refuses unsigned requests when it has the auth token", async () => {
  const handler = twilioBridge({ authToken: "12345", publicHost: "example.ngrok.app" });
  const twiml = (signature: string) =>
    new Request("http://127.0.0.1:8000/twiml", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature,
      },
      body: "From=%2B1555",
    });
  assert.equal((await handler(twiml("bad"))).status, 403);
  const good = await twilioSign("12345", "https://example.ngrok.app/twimlFrom+1555");
  assert.equal((await handler(twiml(good))).status, 200);

  const unsigned = upgradeRequest({ url: "http://127.0.0.1:8000/media" });
  assert.equal((await handler(unsigned)).status, 401);
});

Deno.test("examples/twilio answers a /twiml POST that is not a form with 400, not a server error", async () => {
  const handler = twilioBridge();
  const response = await handler(
    new Request("http://127.0.0.1:8000/twiml", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"From":1}',
    }),
  );
  assert.equal(response.status, 400);
  await response.body?.cancel();
});

const TWILIO_MAIN = "examples/twilio/main.ts";

Deno.test("examples/twilio main.ts refuses a PUBLIC_HOST with a scheme, a path or spaces (https://… as ngrok prints it) with a message and exit 2", async () => {
  for (
    const [publicHost, meant] of [
      ["https://abc123.ngrok.app", "abc123.ngrok.app"],
      ["abc123.ngrok.app/twiml", "abc123.ngrok.app"],
      [" abc123.ngrok.app", "abc123.ngrok.app"],
    ]
  ) {
    const { code, output } = await refusedStart(TWILIO_MAIN, {
      PUBLIC_HOST: publicHost!,
      TWILIO_AUTH_TOKEN: "12345",
    });
    assert.equal(code, 2, output);
    assert.ok(
      output.includes(`PUBLIC_HOST must be a host name`) &&
        output.includes(`write ${JSON.stringify(meant)}`),
      output,
    );
    assert.doesNotMatch(output, /Uncaught|\bat file:/, "a message, not a stack");
  }
});

Deno.test("examples/twilio main.ts writes PUBLIC_HOST into the Stream URL and says why it refused a signature", async () => {
  await using served = await serveMain(TWILIO_MAIN, {
    PUBLIC_HOST: "abc123.ngrok.app",
    TWILIO_AUTH_TOKEN: "12345",
  });
  const twiml = (signature: string) =>
    fetch(`http://127.0.0.1:${served.port}/twiml`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature,
      },
      body: "From=%2B1555",
    });
  const good = await twiml(await twilioSign("12345", "https://abc123.ngrok.app/twimlFrom+1555"));
  assert.equal(good.status, 200);
  assert.match(await good.text(), /<Stream url="wss:\/\/abc123\.ngrok\.app\/media">/);
  const bad = await twiml("bad");
  assert.equal(bad.status, 403);
  await bad.body?.cancel();
  // The operator learns why, with the URL the signature was checked against.
  await served.printed(
    /refused \/twiml: X-Twilio-Signature does not match https:\/\/abc123\.ngrok\.app\/twiml/,
  );
});

Deno.test("examples/twilio main.ts says requests go unverified when TWILIO_AUTH_TOKEN is set but empty", async () => {
  // An empty token verifies nothing (the bridge takes unsigned requests, as with none): the
  // operator is told so, as when it is not set at all.
  await using served = await serveMain(TWILIO_MAIN, { TWILIO_AUTH_TOKEN: "" });
  await served.printed(/TWILIO_AUTH_TOKEN is not set: requests are not verified/);
  const unsigned = await fetch(`http://127.0.0.1:${served.port}/twiml`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "From=%2B1555",
  });
  assert.equal(unsigned.status, 200);
  await unsigned.body?.cancel();
});

Deno.test("examples/twilio main.ts refuses a TWILIO_AUTH_TOKEN with spaces or a line break around it, with a message and exit 2", async () => {
  // Pasted with them, the token would key every signature check wrongly: each request Twilio
  // sends would be refused, and each call fail, with no word at start.
  for (const token of ["12345 ", "12345\n", "\t12345"]) {
    const { code, output } = await refusedStart(TWILIO_MAIN, { TWILIO_AUTH_TOKEN: token });
    assert.equal(code, 2, output);
    assert.ok(output.includes("TWILIO_AUTH_TOKEN has spaces or a line break around it"), output);
    assert.ok(!output.includes("12345"), "the token is not printed");
    assert.doesNotMatch(output, /Uncaught|\bat file:/, "a message, not a stack");
  }
});
