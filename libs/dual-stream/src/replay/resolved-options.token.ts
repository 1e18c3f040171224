/**
 * The registry symbol of `DUAL_STREAM_RESOLVED_OPTIONS` (`dual-stream.module.ts`). Importing that file from
 * here would close an ESM import cycle (the module imports this role's injectables) and the decorator would
 * read the token before it is initialized.
 */
export const RESOLVED_OPTIONS_TOKEN = Symbol.for('dual-stream:resolved-options');
