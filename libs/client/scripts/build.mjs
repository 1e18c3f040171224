// Builds @dual-stream/client into dist/: ESM + .d.ts + source maps (tsc), and the browser bundle with
// socket.io-client inside (esbuild) at dist/browser/dual-stream-client.js, which the gateway serves as /client.js.
// Run with any Node (`npm run build:client` at the root, or `node libs/client/scripts/build.mjs` in the image).
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.lib.json')], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

const outfile = path.join(dist, 'browser', 'dual-stream-client.js');
await build({
  entryPoints: [path.join(root, 'src', 'index.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  outfile,
  logLevel: 'warning',
});
console.log(`@dual-stream/client: dist/ and ${path.relative(root, outfile)} (${statSync(outfile).size} bytes)`);
