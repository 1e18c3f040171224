// Builds @dual-stream/client into dist/: ESM + .d.ts + source maps (tsc), and the browser bundle with
// socket.io-client inside (esbuild) at dist/browser/dual-stream-client.js, which the gateway serves as /client.js.
// Run with any Node (`npm run build:client` at the root, or `node libs/client/scripts/build.mjs` in the image).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
const notices = 'THIRD-PARTY-LICENSES.txt';
const { metafile } = await build({
  entryPoints: [path.join(root, 'src', 'index.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  outfile,
  metafile: true,
  banner: {
    js: `/*! @dual-stream/client (MIT). Bundles socket.io-client and its dependencies (MIT): see ${notices} */`,
  },
  logLevel: 'warning',
});

// The bundle is a copy of the packages it inlines: their licenses go along with it.
const bundled = new Map();
for (const input of Object.keys(metafile.inputs)) {
  const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (match) bundled.set(match[2], path.resolve(match[1]));
}
const sections = [...bundled]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, dir]) => {
    const license = ['LICENSE', 'LICENSE.md', 'license'].map((f) => path.join(dir, f)).find(existsSync);
    if (!license) throw new Error(`${name} is bundled but ships no LICENSE file: add its notice by hand`);
    return `${name}\n${'='.repeat(name.length)}\n${readFileSync(license, 'utf8').trim()}\n`;
  });
writeFileSync(path.join(dist, 'browser', notices), sections.join('\n'));
console.log(`@dual-stream/client: dist/ and ${path.relative(root, outfile)} (${statSync(outfile).size} bytes)`);
