import assert from "node:assert/strict";
import { rtviBotReady } from "../../src/serializers/rtvi.ts";
import type { Frame } from "../../src/frames.ts";

Deno.test("`rtviBotReady` answers client-ready with bot-ready carrying the same id, urgently", () => {
  const reply = rtviBotReady({
    type: "message",
    message: { id: "c380f61a", label: "rtvi-ai", type: "client-ready", data: { version: "2.1.0" } },
  });
  assert.deepEqual(reply, {
    type: "message",
    urgent: true,
    message: { id: "c380f61a", label: "rtvi-ai", type: "bot-ready", data: { version: "2.1.0" } },
  });
});

Deno.test("`rtviBotReady` takes a version and extra data, the version winning", () => {
  const reply = rtviBotReady(
    { type: "message", message: { id: 7, label: "rtvi-ai", type: "client-ready" } },
    { version: "2.2.0", data: { about: { library: "bot" }, version: "0.0.1" } },
  );
  assert.deepEqual(reply?.message, {
    id: 7,
    label: "rtvi-ai",
    type: "bot-ready",
    data: { about: { library: "bot" }, version: "2.2.0" },
  });
});

Deno.test("`rtviBotReady` ignores every other frame and message", () => {
  const others: Frame[] = [
    { type: "text", text: "client-ready" },
    { type: "message", message: null },
    { type: "message", message: "client-ready" },
    { type: "message", message: { label: "rtvi-ai", type: "client-message", id: "1" } },
    { type: "message", message: { label: "other", type: "client-ready", id: "1" } },
    { type: "audio", audio: new Uint8Array(2), sampleRate: 16000, channels: 1 },
  ];
  for (const frame of others) assert.equal(rtviBotReady(frame), null);
});
