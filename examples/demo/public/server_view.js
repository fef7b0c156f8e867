// The server's view of a parrot session: `/view?session=ID`, server-sent events, one JSON
// message each (their shapes: examples/demo/view_events.ts).

import { ServerUnreachable } from "./audio_io.js";

/**
 * Opens the view of session `id` and resolves once it is open (within `timeoutMs`); each message
 * goes to `onEvent`. The stream ends after "ended" (or "expired"); a lost connection is told as
 * `{ type: "lost" }`, and the page does not reconnect (a new session is a new view).
 * @param {string} id
 * @param {(event: any) => void} onEvent
 */
export function openServerView(id, onEvent, timeoutMs = 5000) {
  const source = new EventSource(`view?session=${encodeURIComponent(id)}`);
  let opened = false;
  const close = () => source.close();
  source.onmessage = (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    if (event.type === "ended" || event.type === "expired") close();
    onEvent(event);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      close();
      reject(new ServerUnreachable());
    }, timeoutMs);
    source.onopen = () => {
      opened = true;
      clearTimeout(timer);
      resolve({ close });
    };
    source.onerror = () => {
      // EventSource would reconnect on its own; a view that broke off is over.
      close();
      if (opened) return onEvent({ type: "lost" });
      clearTimeout(timer);
      reject(new ServerUnreachable());
    };
  });
}
