/** A handler declaration that cannot work; raised at startup so it never fails silently at runtime. */
export class HandlerConfigurationError extends Error {
  override readonly name = 'HandlerConfigurationError';
}
