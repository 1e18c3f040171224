import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, withLock } from '../../support/local-infra/proc.mjs';

export const CLIENT_BUNDLE = path.join(REPO_ROOT, 'libs', 'client', 'dist', 'browser', 'dual-stream-client.js');
const SOURCES = path.join(REPO_ROOT, 'libs', 'client', 'src');

const newest = (dir: string): number =>
  Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs,
    ),
  );

/** Builds `@dual-stream/client` (what the gateway serves at /client.js) when its sources are newer than the bundle. */
export async function ensureClientBundle(): Promise<void> {
  await withLock(path.join(REPO_ROOT, '.infra', 'client-build.lock'), async () => {
    if (existsSync(CLIENT_BUNDLE) && statSync(CLIENT_BUNDLE).mtimeMs >= newest(SOURCES)) return;
    const node = path.join(REPO_ROOT, 'node_modules', '.bin', 'node');
    const build = spawnSync(node, [path.join(REPO_ROOT, 'libs', 'client', 'scripts', 'build.mjs')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`client build failed:\n${build.stdout}\n${build.stderr}`);
  });
}
