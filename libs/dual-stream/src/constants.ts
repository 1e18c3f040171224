/** The transport id of `DualStreamServer`: handlers registered with it are never served by other transports. */
export const DUAL_STREAM_TRANSPORT = Symbol.for('dual-stream:transport');

/**
 * Injection token of the options with every default applied (`ResolvedDualStreamOptions`). It lives here, not
 * in the module file, so role injectables can use it without an import cycle through the module.
 */
export const DUAL_STREAM_RESOLVED_OPTIONS = Symbol.for('dual-stream:resolved-options');

/** Namespaced metadata keys; only `handler-metadata.accessor.ts` reads them. */
export const DURABLE_HANDLER_METADATA = 'dual-stream:durable-handler';
export const REALTIME_HANDLER_METADATA = 'dual-stream:realtime-handler';

export const CHANNEL_NAMESPACE = 'events';
