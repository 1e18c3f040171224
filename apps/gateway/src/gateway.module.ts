import { type DynamicModule, Module } from '@nestjs/common';
import { DualStreamModule } from '@app/dual-stream';
import { ServiceKitModule } from '@app/service-kit';
import { canSubscribe, canSubscribePattern } from './auth/gateway-principal.js';
import { JwtTokenVerifier } from './auth/jwt-token.verifier.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { ClientBundleController } from './dashboard/client-bundle.controller.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { DevTokenController } from './dashboard/dev-token.controller.js';
import { GATEWAY_CONFIG, gatewayConfigFromEnv, type GatewayConfig } from './gateway.config.js';
import { EventsGateway } from './realtime/events.gateway.js';

/**
 * The realtime gateway: socket.io `/events` (token handshake, subscribe/resume through `RealtimeHub`), the
 * dashboard at `/`, and the shared health/metrics endpoints. `forRoot()` reads the environment; tests and
 * embedders pass a config.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig = gatewayConfigFromEnv()): DynamicModule {
    const dualStream = {
      ...config.dualStream,
      hub: { canSubscribe, canSubscribePattern, ...config.dualStream.hub },
    };
    return {
      module: GatewayModule,
      imports: [ServiceKitModule.forRoot({ service: 'gateway' }), DualStreamModule.forRoot(dualStream)],
      controllers: [DashboardController, ClientBundleController, ...(config.devTokens ? [DevTokenController] : [])],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        JwtTokenVerifier,
        { provide: TokenVerifier, useExisting: JwtTokenVerifier },
        EventsGateway,
      ],
    };
  }
}
