// Builds and packs every publishable package (libs/*/package.json without "private") into a temp directory and
// fails when a tarball breaks a packaging rule (test/support/package/tarball-rules.mjs). Part of `npm test`.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packAll } from '../test/support/package/packages.mjs';
import { tarballProblems } from '../test/support/package/tarball-rules.mjs';

const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

const destination = mkdtempSync(path.join(os.tmpdir(), 'dual-stream-pack-'));
try {
  const packed = await packAll(destination);
  let failed = 0;
  for (const pkg of packed) {
    const problems = tarballProblems(pkg);
    const summary = `${pkg.name}@${pkg.version}: ${kB(pkg.size)} packed, ${kB(pkg.unpackedSize)} unpacked, ${pkg.files.length} files`;
    console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${summary}`);
    for (const problem of problems) console.log(`     - ${problem}`);
    if (problems.length > 0) failed += 1;
  }
  console.log(`pack check: ${packed.length - failed} passed, ${failed} failed`);
  if (packed.length === 0) throw new Error('pack check: no publishable package under libs/');
  process.exitCode = failed > 0 ? 1 : 0;
} finally {
  rmSync(destination, { recursive: true, force: true });
}
