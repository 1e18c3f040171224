import { ConsoleLogger, type LogLevel } from '@nestjs/common';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * `LOG_FORMAT=json` (default when stdout is not a terminal) writes one JSON object per line, which is what
 * log shippers expect; `LOG_FORMAT=pretty` is Nest's coloured console. `LOG_LEVEL` is the most verbose level
 * printed (default `log`).
 */
export function createServiceLogger(service: string, env: NodeJS.ProcessEnv = process.env): ConsoleLogger {
  const format = env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
  const max = LEVELS.indexOf((env.LOG_LEVEL ?? 'log') as LogLevel);
  return new ConsoleLogger({
    prefix: service,
    json: format === 'json',
    colors: format !== 'json' && Boolean(process.stdout.isTTY),
    logLevels: LEVELS.slice(0, max < 0 ? 4 : max + 1),
    // Belt and braces: structured params with these names never reach the output.
    redact: ['apiKey', 'authorization', 'password', 'token', 'x-api-key'],
  });
}
