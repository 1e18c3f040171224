import type { GatewayPrincipal } from './gateway-principal.js';

/**
 * Turns a client token into a principal, or throws. The gateway (socket handshake) and the consumer (HTTP
 * `Authorization: Bearer`) inject this class as a token, so an app swaps the demo JWT check for its own
 * (API keys, an OIDC introspection, ...) with one provider.
 */
export abstract class TokenVerifier {
  abstract verify(token: string): Promise<GatewayPrincipal>;
}
