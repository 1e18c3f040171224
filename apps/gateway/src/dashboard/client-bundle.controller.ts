import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Controller, Get, Header, NotFoundException } from '@nestjs/common';

/** Where `npm run build:client` writes the browser build (relative to the app's working directory, the repository or image root). */
const BUNDLE = path.resolve('libs/client/dist/browser/dual-stream-client.js');

/**
 * `GET /client.js`: the `@dual-stream/client` browser build (an ES module with socket.io-client inside), so a
 * page can `import { connect } from '/client.js'` without a bundler. Read once, then served from memory.
 */
@Controller()
export class ClientBundleController {
  private bundle?: Promise<string>;

  @Get('client.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'no-cache')
  @Header('x-content-type-options', 'nosniff')
  async script(): Promise<string> {
    this.bundle ??= readFile(BUNDLE, 'utf8');
    try {
      return await this.bundle;
    } catch {
      this.bundle = undefined;
      throw new NotFoundException({
        statusCode: 404,
        error: 'not_found',
        message: 'The client bundle is not built: run `npm run build:client` (or `npm run build`).',
      });
    }
  }
}
