/**
 * The registry symbol of `DUAL_STREAM_RESOLVED_OPTIONS` (`dual-stream.module.ts`). Importing that file from
 * here would be circular (the module lists `DualStreamServer` as a provider), and the decorator metadata would
 * read it before it is initialized; `Symbol.for` gives the very same token without the import.
 */
export const RESOLVED_OPTIONS_TOKEN = Symbol.for('dual-stream:resolved-options');
