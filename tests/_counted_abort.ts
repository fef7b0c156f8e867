/**
 * An abort controller whose signal says how many "abort" listeners it holds (added, less
 * removed): for tests that a session or a stage lets go of a signal it shares with others.
 */
export function countedAbort(): { controller: AbortController; listening: () => number } {
  const controller = new AbortController();
  const signal = controller.signal;
  const held = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (type: string, listener: unknown, options?: unknown) => {
    if (type === "abort") held.add(listener);
    add(type, listener as EventListener, options as AddEventListenerOptions);
  };
  signal.removeEventListener = (type: string, listener: unknown, options?: unknown) => {
    if (type === "abort") held.delete(listener);
    remove(type, listener as EventListener, options as EventListenerOptions);
  };
  return { controller, listening: () => held.size };
}
