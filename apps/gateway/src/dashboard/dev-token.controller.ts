import { Controller, Get, Inject } from '@nestjs/common';
import { JwtTokenVerifier } from '@app/service-kit';
import { DEV_TOKEN_TTL_S, GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';

/** Only mounted with `GATEWAY_DEV_TOKENS=1`: an all-access token for the dashboard of a local demo. */
@Controller('dev')
export class DevTokenController {
  constructor(
    private readonly tokens: JwtTokenVerifier,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('token')
  async token(): Promise<{ token: string }> {
    return {
      token: await this.tokens.sign(
        { sub: 'dashboard-dev', channels: ['events:*'], patterns: ['events:*'] },
        this.config.devTokenTtlSeconds ?? DEV_TOKEN_TTL_S,
      ),
    };
  }
}
