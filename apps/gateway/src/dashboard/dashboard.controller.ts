import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Controller, Get, Header, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';

/**
 * Where the dashboard's static files are (relative to the app's working directory, the repository or image
 * root, as for /client.js): plain HTML, CSS and ES modules, no build step.
 */
const PUBLIC_DIR = path.resolve('apps/gateway/public/dashboard');

/** The only files served under /dashboard/ (a fixed list: no path from the request reaches the file system). */
const ASSETS: Readonly<Record<string, string>> = {
  'dashboard.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'transports.js': 'text/javascript; charset=utf-8',
  'socket-transport.js': 'text/javascript; charset=utf-8',
  'sse-transport.js': 'text/javascript; charset=utf-8',
  'dashboard-model.js': 'text/javascript; charset=utf-8',
  'charts.js': 'text/javascript; charset=utf-8',
  'view.js': 'text/javascript; charset=utf-8',
  'icon.svg': 'image/svg+xml',
};

/**
 * The page runs only the gateway's own files: no inline script or style, no other origin (the socket.io
 * connection and the SSE stream are same-origin, so `connect-src 'self'` covers both).
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What the dashboard reads when it opens (`GET /dashboard/config`). */
export interface DashboardConfig {
  /** Channels to subscribe to at once (`GATEWAY_DASHBOARD_CHANNELS`). */
  channels: string[];
}

interface HeaderSink {
  setHeader(name: string, value: string): void;
}

/**
 * The live dashboard at `/`: a page built on the SDK's browser build (`/client.js`), its scripts and styles
 * under `/dashboard/`, and `GET /dashboard/config` naming the channels it opens with.
 */
@Controller()
export class DashboardController {
  private readonly files = new Map<string, Promise<string>>();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @Header('content-security-policy', CSP)
  @Header('x-content-type-options', 'nosniff')
  @Header('referrer-policy', 'no-referrer')
  page(): Promise<string> {
    return this.read('index.html');
  }

  @Get('dashboard/config')
  @Header('cache-control', 'no-store')
  dashboardConfig(): DashboardConfig {
    return { channels: this.config.dashboardChannels ?? [] };
  }

  @Get('dashboard/:file')
  @Header('cache-control', 'no-cache')
  @Header('x-content-type-options', 'nosniff')
  asset(@Param('file') file: string, @Res({ passthrough: true }) res: HeaderSink): Promise<string> {
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw new NotFoundException({ statusCode: 404, error: 'not_found', message: 'No such dashboard file.' });
    res.setHeader('content-type', type);
    return this.read(file);
  }

  /** Read once, then served from memory; a failed read is retried on the next request. */
  private async read(file: string): Promise<string> {
    let content = this.files.get(file);
    if (!content) this.files.set(file, (content = readFile(path.join(PUBLIC_DIR, file), 'utf8')));
    try {
      return await content;
    } catch {
      this.files.delete(file);
      throw new NotFoundException({
        statusCode: 404,
        error: 'not_found',
        message: `The dashboard file ${file} is missing: run the gateway from the repository (or image) root, where apps/gateway/public/dashboard is.`,
      });
    }
  }
}
