import { ConfigurationError } from '../errors/configuration.error.js';
import { isProduction, stringFromEnv } from '../config/env-values.js';
import type { AuthConfig } from './auth-config.js';

/** Secrets that were published in this repository (old compose default, docs); refused in production. */
export const KNOWN_PLACEHOLDER_SECRETS: readonly string[] = ['change-me-change-me-change-me-0123456789'];
const PLACEHOLDER = /change-?me|placeholder/i;
const MIN_SECRET_LENGTH = 32;
const HOW_TO_SET =
  'set AUTH_JWT_SECRET to a random string of at least 32 characters (e.g. `openssl rand -hex 32`), the same for the gateway and the consumer';

export interface AuthEnv {
  config: AuthConfig;
  /** Lines worth a startup warning (a placeholder secret outside production). Never contain the secret. */
  warnings: string[];
}

/**
 * The one parser of the token settings the gateway and the consumer share, so both verify the same tokens:
 * `AUTH_JWT_SECRET` (older name `GATEWAY_JWT_SECRET`), `AUTH_JWT_AUDIENCE` (`GATEWAY_JWT_AUDIENCE`),
 * `AUTH_JWT_ISSUER` (`GATEWAY_JWT_ISSUER`). A missing or short secret refuses to start; a known placeholder
 * refuses to start under `NODE_ENV=production`. `randomSecret` is what the gateway's dev tokens use when no
 * secret is set outside production (only tokens that process signs itself are then accepted).
 */
export function readAuthEnv(env: NodeJS.ProcessEnv = process.env, randomSecret?: () => string): AuthEnv {
  const warnings: string[] = [];
  let secret = stringFromEnv(env, 'AUTH_JWT_SECRET', 'GATEWAY_JWT_SECRET') ?? '';
  if (!secret) {
    if (!randomSecret || isProduction(env)) {
      throw new ConfigurationError('AUTH_JWT_SECRET', `AUTH_JWT_SECRET is not set: ${HOW_TO_SET}.`);
    }
    secret = randomSecret();
    warnings.push('AUTH_JWT_SECRET is not set: using a random secret for this process (dev tokens only)');
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigurationError(
      'AUTH_JWT_SECRET',
      `AUTH_JWT_SECRET is shorter than ${MIN_SECRET_LENGTH} characters: ${HOW_TO_SET}.`,
    );
  }
  if (KNOWN_PLACEHOLDER_SECRETS.includes(secret) || PLACEHOLDER.test(secret)) {
    if (isProduction(env)) {
      throw new ConfigurationError(
        'AUTH_JWT_SECRET',
        `NODE_ENV=production and AUTH_JWT_SECRET is a published placeholder, anyone can sign tokens with it; ${HOW_TO_SET}.`,
      );
    }
    warnings.push('AUTH_JWT_SECRET is a published placeholder: anyone can sign tokens for this service');
  }
  const audience = stringFromEnv(env, 'AUTH_JWT_AUDIENCE', 'GATEWAY_JWT_AUDIENCE');
  const issuer = stringFromEnv(env, 'AUTH_JWT_ISSUER', 'GATEWAY_JWT_ISSUER');
  return { config: { secret, ...(audience && { audience }), ...(issuer && { issuer }) }, warnings };
}
