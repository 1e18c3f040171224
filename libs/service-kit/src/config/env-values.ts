import { ConfigurationError } from '../errors/configuration.error.js';

/**
 * The one reader of the environment's primitive values (integers, flags, lists, renamed names). Every service
 * parser builds on these, so a value is read and validated the same way everywhere.
 */

/** Integer from the environment, or `fallback` when unset; a bad value fails startup with a clear message. */
export function intFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigurationError(name, `${name} must be a non-negative integer (got "${raw}").`);
  }
  return value;
}

/** `1`, `true`, `yes`, `on` (any case) are true; unset or anything else is `fallback` / false. */
export function flagFromEnv(name: string, env: NodeJS.ProcessEnv = process.env, fallback = false): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return /^(1|true|yes|on)$/i.test(raw.trim());
}

/** Comma-separated list, entries trimmed, empty entries dropped. */
export function listFromEnv(name: string, env: NodeJS.ProcessEnv = process.env, fallback = ''): string[] {
  return (env[name] || fallback)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * A string that has a current name and an older one still honoured. Both set to different values is an error
 * (which one would win is a guess); the current name wins when only it is set.
 *
 * @example stringFromEnv(env, 'AUTH_JWT_SECRET', 'GATEWAY_JWT_SECRET')
 */
export function stringFromEnv(env: NodeJS.ProcessEnv, name: string, ...olderNames: string[]): string | undefined {
  const set = [name, ...olderNames].filter((n) => env[n] !== undefined && env[n] !== '');
  const values = new Set(set.map((n) => env[n]));
  if (values.size > 1) {
    throw new ConfigurationError(name, `${set.join(' and ')} are both set, to different values: set only ${name}.`);
  }
  return set.length ? env[set[0]!] : undefined;
}

/** `NODE_ENV=production`: the unsafe conveniences of a local demo are refused (docs/operations.md "Production"). */
export function isProduction(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.NODE_ENV ?? '').trim().toLowerCase() === 'production';
}
