import { Logger, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

export interface ServiceBootstrapOptions {
  name: string;
  /** Port to listen on; `PORT` in the environment wins. */
  port: number;
  /** Runs after the app is created and before it listens (e.g. connect a microservice). */
  configure?: (app: INestApplication) => Promise<void> | void;
}

/** Creates, configures and starts one of the demo services with graceful shutdown on SIGTERM/SIGINT. */
export async function bootstrapService(module: Type<unknown>, options: ServiceBootstrapOptions): Promise<INestApplication> {
  const app = await NestFactory.create(module, { bufferLogs: false });
  app.enableShutdownHooks();
  await options.configure?.(app);
  const port = Number(process.env.PORT ?? options.port);
  await app.listen(port, process.env.HOST ?? '127.0.0.1');
  new Logger(options.name).log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${port}`);
  return app;
}
