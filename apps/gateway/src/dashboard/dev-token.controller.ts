import { Controller, Get } from '@nestjs/common';
import { JwtTokenVerifier } from '@app/service-kit';

/** Only mounted with `GATEWAY_DEV_TOKENS=1`: an all-access token for the dashboard of a local demo. */
@Controller('dev')
export class DevTokenController {
  constructor(private readonly tokens: JwtTokenVerifier) {}

  @Get('token')
  async token(): Promise<{ token: string }> {
    return {
      token: await this.tokens.sign({ sub: 'dashboard-dev', channels: ['events:*'], patterns: ['events:*'] }, 3600),
    };
  }
}
