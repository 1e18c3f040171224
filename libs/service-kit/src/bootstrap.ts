import { Logger, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { intFromEnv } from './config/service-env.js';
import { createServiceLogger } from './logging/service-logger.js';

export interface ServiceBootstrapOptions {
  name: string;
  /** Port to listen on; `PORT` in the environment wins. */
  port: number;
  /** Runs after the app is created and before it listens (e.g. connect a microservice, body parsers). */
  configure?: (app: INestApplication) => Promise<void> | void;
  /** Passed to `NestFactory.create` (e.g. `{ bodyParser: false }`). */
  createOptions?: { bodyParser?: boolean; rawBody?: boolean };
}

/**
 * Creates, configures and starts one of the demo services: structured logs (`LOG_FORMAT`), graceful shutdown
 * on SIGTERM/SIGINT (Nest closes every module, then the process exits; `SHUTDOWN_TIMEOUT_MS` bounds it), and
 * `HOST`/`PORT` from the environment.
 */
export async function bootstrapService(
  module: Type<unknown>,
  options: ServiceBootstrapOptions,
): Promise<INestApplication> {
  muteKafkajsTimeoutWarning();
  const logger = createServiceLogger(options.name);
  const app = await NestFactory.create(module, { logger, ...options.createOptions });
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
