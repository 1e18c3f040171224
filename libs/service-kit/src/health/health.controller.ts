import { Controller, Get } from '@nestjs/common';

/** Liveness: the process is up and its event loop answers. Readiness lives with each app's dependencies. */
@Controller('health')
export class HealthController {
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
