import { type DynamicModule, Module } from '@nestjs/common';
import { AUTH_CONFIG, type AuthConfig } from './auth-config.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import { JwtTokenVerifier } from './jwt-token.verifier.js';
import { TokenVerifier } from './token-verifier.js';

/**
 * Client token verification for the gateway and the consumer: `TokenVerifier` (the demo's `JwtTokenVerifier`)
 * and `BearerAuthGuard`. Global, so any controller can use the guard.
 */
@Module({})
export class ServiceAuthModule {
  static forRoot(config: AuthConfig): DynamicModule {
    return {
      module: ServiceAuthModule,
      global: true,
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        JwtTokenVerifier,
        { provide: TokenVerifier, useExisting: JwtTokenVerifier },
        BearerAuthGuard,
      ],
      exports: [AUTH_CONFIG, JwtTokenVerifier, TokenVerifier, BearerAuthGuard],
    };
  }
}
