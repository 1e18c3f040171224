#!/usr/bin/env node
// Mints a client token for the gateway's dashboard and the consumer's catch-up API, signed with the
// AUTH_JWT_SECRET both services verify (docs/operations.md "Containers"). In compose:
//   docker compose exec gateway node scripts/demo/token.mjs [--channels 'events:*'] [--patterns 'events:*'] [--ttl 3600] [--sub me]
// Prints the token on stdout and nothing else, so `TOKEN=$(...)` works.
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';

const { values } = parseArgs({
  options: {
    channels: { type: 'string', default: 'events:*' },
    patterns: { type: 'string', default: 'events:*' },
    ttl: { type: 'string', default: '3600' },
    sub: { type: 'string', default: 'dashboard' },
  },
});
const secret = process.env.AUTH_JWT_SECRET || process.env.GATEWAY_JWT_SECRET;
if (!secret) {
  console.error('AUTH_JWT_SECRET is not set: run this where the gateway runs (docker compose exec gateway ...).');
  process.exit(1);
}
const list = (text) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const ttl = Number(values.ttl);
if (!Number.isInteger(ttl) || ttl < 1) {
  console.error('--ttl must be a positive number of seconds');
  process.exit(1);
}
let jwt = new SignJWT({ channels: list(values.channels), patterns: list(values.patterns) })
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject(values.sub)
  .setIssuedAt()
  .setExpirationTime(`${ttl}s`);
if (process.env.AUTH_JWT_AUDIENCE) jwt = jwt.setAudience(process.env.AUTH_JWT_AUDIENCE);
if (process.env.AUTH_JWT_ISSUER) jwt = jwt.setIssuer(process.env.AUTH_JWT_ISSUER);
console.log(await jwt.sign(new TextEncoder().encode(secret)));
