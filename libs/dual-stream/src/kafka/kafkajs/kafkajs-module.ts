import type * as KafkajsModule from 'kafkajs';
import { createRequire } from 'node:module';

/**
 * kafkajs is an optional peer dependency: required on first use by the default driver, so an app on the
 * `platformatic` driver never installs it. CommonJS, so it loads synchronously (`createRequire`); the adapter's
 * other imports of kafkajs are types only.
 */
export type Kafkajs = typeof KafkajsModule;

let loaded: Kafkajs | undefined;

/** The kafkajs module; throws with how to install it when it is missing. */
export function kafkajs(): Kafkajs {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('kafkajs') as Kafkajs;
  } catch (err) {
    throw new Error(
      `DualStreamModule: kafka.driver is 'kafkajs' (the default) but kafkajs could not be loaded ` +
        `(${(err as Error).message}). Install it next to the module: npm i kafkajs (or set kafka.driver: 'platformatic').`,
      { cause: err },
    );
  }
  return loaded;
}
