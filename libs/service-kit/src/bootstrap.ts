import { type DynamicModule, Logger, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { intFromEnv } from './config/env-values.js';
import { CONFIGURATION_EXIT_CODE, ConfigurationError } from './errors/configuration.error.js';
import { createServiceLogger } from './logging/service-logger.js';
import { ProblemExceptionFilter } from './problems/problem-exception.filter.js';

export interface ServiceBootstrapOptions {
  name: string;
  /**
   * Builds the root module. Called inside the start-up guard, so a `ConfigurationError` thrown while reading
   * the environment ends the process with a message instead of a stack trace.
   */
  module: () => Type<unknown> | DynamicModule;
  /** Port to listen on; `PORT` in the environment wins. */
  port: number;
  /** Runs after the app is created and before it listens (e.g. connect a microservice, body parsers). */
  configure?: (app: INestApplication) => Promise<void> | void;
  /** Passed to `NestFactory.create` (e.g. `{ bodyParser: false }`). */
  createOptions?: { bodyParser?: boolean; rawBody?: boolean };
}

/**
 * Creates, configures and starts one of the demo services: structured logs (`LOG_FORMAT`), graceful shutdown
 * on SIGTERM/SIGINT (Nest closes every module, then the process exits; `SHUTDOWN_TIMEOUT_MS` bounds it),
 * `HOST`/`PORT` from the environment, and problem bodies (`application/problem+json`) for every HTTP error.
 * A wrong or unsafe environment (`ConfigurationError`) exits with code 78 and the message saying what to set.
 */
export async function bootstrapService(options: ServiceBootstrapOptions): Promise<INestApplication | undefined> {
  muteKafkajsTimeoutWarning();
  const logger = createServiceLogger(options.name);
  try {
    const module = options.module();
    const app = await NestFactory.create(module, { logger, ...options.createOptions });
    app.useGlobalFilters(new ProblemExceptionFilter());
    app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
    armShutdownDeadline(options.name, intFromEnv('SHUTDOWN_TIMEOUT_MS', 20_000));
    await options.configure?.(app);
    // Microservices connected in `configure` (the DualStreamServer) start with the HTTP listener.
    await app.startAllMicroservices();
    const port = Number(process.env.PORT ?? options.port);
    const host = process.env.HOST ?? '127.0.0.1';
    await app.listen(port, host);
    new Logger(options.name).log(`listening on http://${host}:${port}`);
    return app;
  } catch (err) {
    if (!(err instanceof ConfigurationError) && (err as Error)?.name !== 'ConfigurationError') throw err;
    logger.fatal(`refusing to start: ${(err as Error).message}`, options.name);
    process.exitCode = CONFIGURATION_EXIT_CODE;
    // Let the log line reach the pipe before the process ends.
    setImmediate(() => process.exit(CONFIGURATION_EXIT_CODE));
    return undefined;
  }
}

/** A shutdown that hangs (a broker that never answers) must not keep a container from stopping. */
function armShutdownDeadline(name: string, timeoutMs: number): void {
  const arm = (signal: NodeJS.Signals) => {
    setTimeout(() => {
      new Logger(name).error(`graceful shutdown after ${signal} took over ${timeoutMs} ms, exiting`);
      process.exit(1);
    }, timeoutMs).unref();
  };
  process.once('SIGTERM', arm);
  process.once('SIGINT', arm);
}

/**
 * kafkajs 2.2.4 computes some timers as `deadline - Date.now()` and can pass a negative delay, which Node 24
 * reports as a `TimeoutNegativeWarning` on stderr (the timer still fires at once). It is noise, not a fault.
 */
function muteKafkajsTimeoutWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'TimeoutNegativeWarning' || (warning as Error)?.name === 'TimeoutNegativeWarning') return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
