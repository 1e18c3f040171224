// Which directories are npm packages of this repository, and how each is built and packed. The pack check
// (scripts/pack-check.mjs) and the outside-the-repo test (test/package/fresh-app.int-spec.ts) both go through here.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, withLock } from '../local-infra/proc.mjs';

/**
 * @typedef {object} PackageManifest
 * @property {string} name
 * @property {string} version
 * @property {boolean} [private]
 * @property {string} [type]
 * @property {unknown} [exports]
 * @property {string[]} [files]
 * @property {unknown} [sideEffects]
 * @property {Record<string, string>} [engines]
 * @property {Record<string, string>} [scripts]
 * @property {Record<string, string>} [dependencies]
 * @property {Record<string, string>} [peerDependencies]
 */

/** @typedef {{ dir: string; manifest: PackageManifest }} RepoPackage */

/**
 * @typedef {object} PackedPackage
 * @property {string} name
 * @property {string} version
 * @property {string} dir the package's directory in the repository
 * @property {PackageManifest} manifest
 * @property {string} tarball absolute path of the `.tgz`
 * @property {number} size bytes of the tarball
 * @property {number} unpackedSize bytes of its files
 * @property {{ path: string; size: number }[]} files what the tarball holds (`npm pack --json`)
 */

/**
 * The packages to publish: every `libs/<name>/package.json` that is not `private`. Libraries without a manifest of
 * their own (service-kit, infra-env) belong to the apps and are never packed.
 * @param {string} [root]
 * @returns {RepoPackage[]}
 */
export function publishablePackages(root = REPO_ROOT) {
  const libs = path.join(root, 'libs');
  return readdirSync(libs, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(libs, entry.name, 'package.json')))
    .map((entry) => {
      const dir = path.join(libs, entry.name);
      return { dir, manifest: /** @type {PackageManifest} */ (readJson(path.join(dir, 'package.json'))) };
    })
    .filter((pkg) => pkg.manifest.private !== true);
}

/**
 * Runs the package's `build` script (incremental, so cheap when nothing changed). An incremental build never
 * deletes the output of a removed source file, so when `dist/` holds compiler output without a source in `src/`,
 * `dist/` is removed and built once more: a stale module must not be published.
 * @param {RepoPackage} pkg
 */
export function buildPackage(pkg) {
  if (!pkg.manifest.scripts?.build) return;
  npm(['run', 'build'], pkg.dir);
  if (staleOutputs(pkg.dir).length > 0) {
    rmSync(path.join(pkg.dir, 'dist'), { recursive: true, force: true });
    npm(['run', 'build'], pkg.dir);
  }
}

/**
 * Compiler output in `dist/` (a `.js` with its `.d.ts`; bundles made by other tools have none) whose source in
 * `src/` (`.ts`, `.mts`, `.tsx`, `.js`, `.mjs`) no longer exists.
 * @param {string} dir
 * @returns {string[]}
 */
export function staleOutputs(dir) {
  const dist = path.join(dir, 'dist');
  const src = path.join(dir, 'src');
  if (!existsSync(dist) || !existsSync(src)) return [];
  const sources = ['.ts', '.mts', '.tsx', '.js', '.mjs'];
  return filesUnder(dist)
    .filter((file) => file.endsWith('.js') && existsSync(path.join(dist, file.replace(/\.js$/, '.d.ts'))))
    .filter((file) => !sources.some((ext) => existsSync(path.join(src, file.replace(/\.js$/, ext)))));
}

/**
 * Builds every publishable package and packs it into `destination` (`npm pack --json`; lifecycle scripts are
 * skipped because the build just ran). Serialized by a lock: concurrent runs share `dist/`.
 * @param {string} destination
 * @returns {Promise<PackedPackage[]>}
 */
export async function packAll(destination) {
  return withLock(path.join(REPO_ROOT, '.infra', 'pack.lock'), async () =>
    publishablePackages().map((pkg) => {
      buildPackage(pkg);
      const [report] = JSON.parse(
        npm(['pack', '--json', '--ignore-scripts', '--pack-destination', destination], pkg.dir),
      );
      return {
        name: report.name,
        version: report.version,
        dir: pkg.dir,
        manifest: pkg.manifest,
        tarball: path.join(destination, report.filename),
        size: report.size,
        unpackedSize: report.unpackedSize,
        files: report.files.map((/** @type {{ path: string; size: number }} */ f) => ({ path: f.path, size: f.size })),
      };
    }),
  );
}

/**
 * @param {string[]} args
 * @param {string} cwd
 * @returns {string} stdout
 */
function npm(args, cwd) {
  const run = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (run.status !== 0) {
    throw new Error(`npm ${args.join(' ')} failed in ${path.relative(REPO_ROOT, cwd)}:\n${run.stdout}\n${run.stderr}`);
  }
  return run.stdout;
}

/** @param {string} file @returns {unknown} */
export const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/**
 * Paths of all files under `dir`, relative to it, with `/` separators.
 * @param {string} dir
 * @returns {string[]}
 */
export function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}
