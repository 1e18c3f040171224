/** How client tokens are verified; read from the environment by `readAuthEnv`. */
export interface AuthConfig {
  /** HMAC secret of the HS256 tokens (at least 32 characters). */
  secret: string;
  /** When set, a token's `aud` must contain it. */
  audience?: string;
  /** When set, a token's `iss` must equal it. */
  issuer?: string;
}

export const AUTH_CONFIG = Symbol.for('service-kit:auth-config');
