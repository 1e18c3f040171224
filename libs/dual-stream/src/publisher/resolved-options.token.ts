/**
 * The same registry symbol as `DUAL_STREAM_RESOLVED_OPTIONS` in `dual-stream.module.ts`. Importing that
 * file from here would close an ESM import cycle (the module imports the publisher) and the decorator would
 * read the token before it is initialized.
 */
export const RESOLVED_OPTIONS = Symbol.for('dual-stream:resolved-options');
