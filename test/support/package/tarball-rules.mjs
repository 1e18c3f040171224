// What a packed tarball must and must not hold (the tracker's packaging acceptance, checked on every `npm test`).
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { unexportedPublicTypes } from './public-surface.mjs';

/** @typedef {import('./packages.mjs').PackedPackage} PackedPackage */

/** Largest file a tarball may hold ("over 1 MB" fails). */
export const MAX_FILE_BYTES = 1_000_000;

/** Tests, benchmarks and fixtures: never published. */
const TEST_OR_BENCH = [
  /(^|\/)(test|tests|__tests__|__mocks__|bench|benchmarks?|fixtures?)\//,
  /\.(spec|int-spec|e2e-spec|test|bench)\.(d\.)?[cm]?[jt]sx?(\.map)?$/,
];

/** `from 'x'`, `import 'x'`, `import('x')`, `require('x')` with a bare specifier (not relative, not absolute). */
const BARE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"./][^'"]*)['"]/g;

/**
 * Everything wrong with one packed package; empty when it may be published.
 * @param {PackedPackage} packed
 * @returns {string[]}
 */
export function tarballProblems(packed) {
  const { manifest } = packed;
  const paths = new Set(packed.files.map((f) => f.path));
  const problems = [...manifestProblems(packed)];

  const entry = entryPoint(manifest.exports);
  for (const [condition, target] of Object.entries(entry ?? {})) {
    const file = target.replace(/^\.\//, '');
    if (!paths.has(file)) problems.push(`exports["."].${condition} points at ${file}, which the tarball lacks`);
  }
  if (![...paths].some((p) => /^dist\/.*\.d\.ts$/.test(p))) problems.push('no dist/**/*.d.ts in the tarball');
  for (const required of ['README.md', 'LICENSE']) {
    if (!paths.has(required)) problems.push(`${required} is missing from the tarball`);
  }
  for (const file of packed.files) {
    if (TEST_OR_BENCH.some((re) => re.test(file.path))) {
      problems.push(`${file.path}: tests and benchmarks are not published`);
    }
    if (file.size > MAX_FILE_BYTES) problems.push(`${file.path}: ${file.size} bytes, over the 1 MB limit`);
  }

  problems.push(...importProblems(packed));
  if (entry?.types) {
    const types = path.join(packed.dir, entry.types);
    problems.push(...unexportedPublicTypes(types, packed.dir).map((p) => `public types: ${p}`));
  }
  return problems;
}

/**
 * The fields every package of this repo declares: ESM only, one entry point with types, a file list, the Node it
 * runs on, no side effects on import.
 * @param {PackedPackage} packed
 * @returns {string[]}
 */
function manifestProblems({ manifest }) {
  const problems = [];
  if (manifest.type !== 'module') problems.push('package.json: "type" must be "module" (ESM only)');
  const entry = entryPoint(manifest.exports);
  if (!entry?.types || !entry.import) problems.push('package.json: exports["."] needs "types" and "import"');
  if (!Array.isArray(manifest.files)) problems.push('package.json: "files" must list what is published');
  if (!manifest.engines?.node) problems.push('package.json: "engines.node" is missing');
  if (manifest.sideEffects !== false) problems.push('package.json: "sideEffects" must be false');
  return problems;
}

/**
 * Every bare import of the published code resolves to a dependency, a peer dependency or a Node built-in, and
 * every runtime dependency is imported by the published JavaScript (anything else leaked in from the apps).
 * @param {PackedPackage} packed
 * @returns {string[]}
 */
function importProblems({ dir, manifest, files }) {
  const declared = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const problems = [];
  const usedAtRuntime = new Set();
  for (const file of files.filter((f) => /\.(d\.ts|[cm]?js)$/.test(f.path))) {
    const text = readFileSync(path.join(dir, file.path), 'utf8');
    for (const [, specifier] of text.matchAll(BARE_IMPORT)) {
      if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      const name = packageName(specifier);
      if (!file.path.endsWith('.d.ts')) usedAtRuntime.add(name);
      if (!declared.has(name)) problems.push(`${file.path} imports ${specifier}, not a dependency or peer dependency`);
    }
  }
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    if (!usedAtRuntime.has(dependency)) problems.push(`dependency ${dependency} is never imported by the package`);
  }
  return problems;
}

/**
 * `exports["."]` as a map of condition to path, for `exports: { ".": {...} }` and `exports: {...}` alike.
 * @param {unknown} exports
 * @returns {Record<string, string> | undefined}
 */
function entryPoint(exports) {
  if (typeof exports !== 'object' || exports === null) return undefined;
  const root = /** @type {Record<string, unknown>} */ (exports);
  const entry = '.' in root ? root['.'] : root;
  return typeof entry === 'object' && entry !== null ? /** @type {Record<string, string>} */ (entry) : undefined;
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. @param {string} specifier */
const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
