import { type DynamicModule, Module } from '@nestjs/common';
import { DualStreamModule } from '@dual-stream/nestjs';
import { ServiceKitModule, canSubscribe, canSubscribePattern } from '@app/service-kit';
import { ClientBundleController } from './dashboard/client-bundle.controller.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { DevTokenController } from './dashboard/dev-token.controller.js';
import { GATEWAY_CONFIG, gatewayConfigFromEnv, type GatewayConfig } from './gateway.config.js';
import { EventsGateway } from './realtime/events.gateway.js';
import { StreamController } from './sse/stream.controller.js';
import { StreamMetrics } from './sse/stream.metrics.js';

/**
 * The realtime gateway: socket.io `/events` (token handshake, subscribe/resume through `RealtimeHub`), Server-Sent
 * Events at `GET /sse` (the same hub; docs/sse.md), the
 * dashboard at `/`, and the shared health/metrics endpoints. Tokens are checked by service-kit's
 * `TokenVerifier`, the same one the consumer's catch-up API uses. `forRoot()` reads the environment; tests and
 * embedders pass a config.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig = gatewayConfigFromEnv()): DynamicModule {
    const dualStream = {
      ...config.dualStream,
      hub: { canSubscribe, canSubscribePattern, ...config.dualStream.hub },
    };
    const auth = { secret: config.jwtSecret, audience: config.jwtAudience, issuer: config.jwtIssuer };
    return {
      module: GatewayModule,
      imports: [ServiceKitModule.forRoot({ service: 'gateway', auth }), DualStreamModule.forRoot(dualStream)],
      controllers: [
        DashboardController,
        ClientBundleController,
        StreamController,
        ...(config.devTokens ? [DevTokenController] : []),
      ],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, EventsGateway, StreamMetrics],
    };
  }
}
