/**
 * {@linkcode ./_late_context_calls_script.ts}, in a runtime without `WeakRef` (Cloudflare Workers
 * without the `enable_weak_ref` compatibility flag): the session's end must not throw making one,
 * and the late calls reach the session as before. Run by late_context_calls_test.ts.
 *
 * @module
 */

delete (globalThis as { WeakRef?: unknown }).WeakRef;
await import("./_late_context_calls_script.ts");
