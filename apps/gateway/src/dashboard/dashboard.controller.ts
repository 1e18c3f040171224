import { Controller, Get, Header } from '@nestjs/common';
import { DASHBOARD_HTML } from './dashboard.page.js';

/** The live dashboard (plain HTML; the socket.io client is served by socket.io at `/socket.io/socket.io.min.js`). */
@Controller()
export class DashboardController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  @Header(
    'content-security-policy',
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws: wss:",
  )
  page(): string {
    return DASHBOARD_HTML;
  }
}
