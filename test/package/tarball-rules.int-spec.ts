// The pack check's rules (test/support/package/tarball-rules.mjs) on small packages written here: each rule must
// fire on what it forbids, and a well-formed package must pass. `npm test` runs them on the real packages.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filesUnder, type PackageManifest, type PackedPackage } from '../support/package/packages.mjs';
import { MAX_FILE_BYTES, tarballProblems } from '../support/package/tarball-rules.mjs';

const root = mkdtempSync(path.join(os.tmpdir(), 'dual-stream-tarball-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MANIFEST: PackageManifest = {
  name: '@example/lib',
  version: '1.0.0',
  type: 'module',
  exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
  files: ['dist'],
  sideEffects: false,
  engines: { node: '>=24' },
  dependencies: { kafkajs: '^2.2.4' },
  peerDependencies: { '@nestjs/common': '^12.0.0' },
};

const GOOD_FILES: Record<string, string> = {
  'package.json': '{}',
  'README.md': '# lib',
  LICENSE: 'MIT',
  'dist/index.js':
    "import { Kafka } from 'kafkajs';\nimport { Injectable } from '@nestjs/common';\nexport { Thing } from './thing.js';\n",
  'dist/index.d.ts': "export { Thing, type ThingOptions } from './thing.js';\n",
  'dist/thing.js': 'export class Thing {}\n',
  'dist/thing.d.ts':
    "import type { Type } from '@nestjs/common';\nexport interface ThingOptions { type?: Type }\nexport declare class Thing { constructor(options: ThingOptions); }\n",
};

let count = 0;
/** A package directory with `files` (path → content) and what `npm pack --json` would report for it. */
function packageWith(files: Record<string, string | null>, manifest: Partial<PackageManifest> = {}): PackedPackage {
  const dir = path.join(root, `pkg-${++count}`);
  for (const [file, content] of Object.entries({ ...GOOD_FILES, ...files })) {
    if (content === null) continue;
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  const full = { ...MANIFEST, ...manifest };
  return {
    name: full.name,
    version: full.version,
    dir,
    manifest: full,
    tarball: path.join(root, `pkg-${count}.tgz`),
    size: 1,
    unpackedSize: 1,
    files: filesUnder(dir).map((file) => ({ path: file, size: statSync(path.join(dir, file)).size })),
  };
}

describe('tarball rules', () => {
  it('pass a package with an entry point, types, a README and a LICENSE', () => {
    expect(tarballProblems(packageWith({}))).toEqual([]);
  });

  it('refuse tests, benchmarks and fixtures', () => {
    const problems = tarballProblems(
      packageWith({
        'dist/thing.spec.js': '',
        'dist/thing.spec.d.ts': '',
        'dist/test/helper.js': '',
        'bench/publish.bench.js': '',
        'dist/fixtures/app.js': '',
      }),
    );
    expect(problems.sort()).toEqual([
      'bench/publish.bench.js: tests and benchmarks are not published',
      'dist/fixtures/app.js: tests and benchmarks are not published',
      'dist/test/helper.js: tests and benchmarks are not published',
      'dist/thing.spec.d.ts: tests and benchmarks are not published',
      'dist/thing.spec.js: tests and benchmarks are not published',
    ]);
  });

  it('refuse a file over 1 MB', () => {
    const problems = tarballProblems(packageWith({ 'dist/big.js': 'x'.repeat(MAX_FILE_BYTES + 1) }));
    expect(problems).toEqual([`dist/big.js: ${MAX_FILE_BYTES + 1} bytes, over the 1 MB limit`]);
  });

  it('refuse a tarball without declarations, README or LICENSE', () => {
    const problems = tarballProblems(
      packageWith({ 'dist/index.d.ts': null, 'dist/thing.d.ts': null, 'README.md': null, LICENSE: null }),
    );
    expect(problems).toEqual([
      'exports["."].types points at dist/index.d.ts, which the tarball lacks',
      'no dist/**/*.d.ts in the tarball',
      'README.md is missing from the tarball',
      'LICENSE is missing from the tarball',
      expect.stringContaining('public types:'),
    ]);
  });

  it('refuse a manifest that is not ESM-only with one typed entry point, a file list, engines and no side effects', () => {
    const problems = tarballProblems(
      packageWith(
        {},
        { type: undefined, exports: './dist/index.js', files: undefined, engines: {}, sideEffects: true },
      ),
    );
    expect(problems).toEqual([
      'package.json: "type" must be "module" (ESM only)',
      'package.json: exports["."] needs "types" and "import"',
      'package.json: "files" must list what is published',
      'package.json: "engines.node" is missing',
      'package.json: "sideEffects" must be false',
    ]);
  });

  it('refuse an import of an undeclared package and a dependency nothing imports (an app dependency that leaked in)', () => {
    const problems = tarballProblems(
      packageWith(
        {
          'dist/thing.js':
            "import { register } from 'prom-client';\nimport fs from 'node:fs';\nexport class Thing {}\n",
        },
        { dependencies: { kafkajs: '^2.2.4', jose: '^6.0.0' } },
      ),
    );
    expect(problems).toEqual([
      'dist/thing.js imports prom-client, not a dependency or peer dependency',
      'dependency jose is never imported by the package',
    ]);
  });

  it('refuse a public signature that mentions a type the entry point does not export', () => {
    const problems = tarballProblems(packageWith({ 'dist/index.d.ts': "export { Thing } from './thing.js';\n" }));
    expect(problems).toEqual(['public types: ThingOptions (dist/thing.d.ts) is used by Thing but not exported']);
  });
});
