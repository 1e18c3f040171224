import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';

export interface BuiltTree {
  /** The commit the tree was built from. */
  sha: string;
  /** Root of the exported tree (the apps' working directory). */
  root: string;
  /** Its compiled output. */
  distDir: string;
}

/**
 * Builds `ref` of this repository for a before/after run: its sources are exported with `git archive` into
 * `.infra/bench-baseline/<sha>` (git-ignored, outside every worktree's sources, no worktree metadata touched),
 * `node_modules` is this checkout's (a symlink), and it is compiled with its own tsconfig. A tree already built
 * for the same commit is reused.
 */
export function buildBaseline(repoRoot: string, ref: string): BuiltTree {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], {
    cwd: repoRoot,
    encoding: 'utf8',
  }).trim();
  const root = path.join(repoRoot, '.infra', 'bench-baseline', sha.slice(0, 12));
  const distDir = path.join(root, 'dist');
  const mains = ['ingester', 'gateway', 'consumer'].map((app) => path.join(distDir, 'apps', app, 'src', 'main.js'));
  if (mains.every((main) => existsSync(main))) return { sha, root, distDir };

  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const archive = spawnSync('git', ['archive', '--format=tar', sha], { cwd: repoRoot, maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${ref} failed: ${archive.stderr}`);
  const untar = spawnSync('tar', ['-x', '-C', root], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`unpacking ${ref} failed: ${untar.stderr}`);
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const node = process.execPath;
  // tsc emits even when an unrelated file has a type error; what matters is that the apps were emitted.
  spawnSync(node, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root });
  const alias = spawnSync(
    node,
    [path.join(root, 'node_modules/tsc-alias/dist/bin/index.js'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (alias.status !== 0) throw new Error(`tsc-alias in ${root} failed:\n${alias.stdout}\n${alias.stderr}`);
  for (const main of mains) if (!existsSync(main)) throw new Error(`building ${ref} produced no ${main}`);
  return { sha, root, distDir };
}
