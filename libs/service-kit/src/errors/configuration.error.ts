/**
 * A service's environment is wrong or unsafe: the service refuses to start. `variable` names the setting to
 * change; the message says what to set it to. `bootstrapService` logs the message (never a value) and exits
 * with `CONFIGURATION_EXIT_CODE`.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';

  constructor(
    /** The environment variable to fix, e.g. `AUTH_JWT_SECRET`. */
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/** `EX_CONFIG` of sysexits.h: a restart will not help, the configuration must change. */
export const CONFIGURATION_EXIT_CODE = 78;
