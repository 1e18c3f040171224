export type * from './dual-stream-event.interface.js';
export type * from './dual-stream-options.interface.js';
