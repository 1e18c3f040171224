import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[] | string;
  ports?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  volumes?: string[];
}

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    // A package's own build output (libs/*/dist) is not source.
    if (statSync(full).isDirectory()) return name === 'dist' ? [] : sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [full] : [];
  });
}

/** Every environment variable the code of an app (and the shared service kit) reads. */
export function envNamesReadBy(app: string): Set<string> {
  const names = new Set<string>();
  const files = [
    ...sourceFiles(path.join(ROOT, 'apps', app, 'src')),
    ...sourceFiles(path.join(ROOT, 'libs', 'service-kit', 'src')),
  ];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:process\.env|\benv)\.([A-Z][A-Z0-9_]+)/g)) names.add(m[1]!);
    // intFromEnv('X', ...), flagFromEnv('X', ...), stringFromEnv(env, 'X', 'OLDER_X')
    for (const call of text.matchAll(/FromEnv\(([^)]*)\)/g)) {
      for (const m of call[1]!.matchAll(/'([A-Z][A-Z0-9_]+)'/g)) names.add(m[1]!);
    }
  }
  return names;
}
