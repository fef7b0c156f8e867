/**
 * Miniflare leaves work running after `dispose()` resolves: undici's connect timer, a MessagePort
 * of its loopback server and the removal of its temporary directory. They are Miniflare's, not
 * ours, so tests that host workerd (only those: the rest of the suite keeps both sanitizers)
 * switch off the op and resource sanitizers; each still disposes Miniflare and closes every
 * client socket itself.
 */
export const miniflareSanitizers = { sanitizeOps: false, sanitizeResources: false } as const;
