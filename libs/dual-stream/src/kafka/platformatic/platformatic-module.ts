import type * as PlatformaticModule from '@platformatic/kafka';

/**
 * `@platformatic/kafka` is an optional peer dependency: loaded on first use by the driver that needs it, so an
 * app on the default driver never installs it. An ES module only, hence `import()` (asynchronous): every port
 * of this driver awaits it in its first asynchronous method (`connect`, `start`).
 */
export type PlatformaticKafka = typeof PlatformaticModule;

let loading: Promise<PlatformaticKafka> | undefined;

/** The `@platformatic/kafka` module; rejects with how to install it when it is missing. */
export function loadPlatformatic(): Promise<PlatformaticKafka> {
  loading ??= import('@platformatic/kafka').catch((err: unknown) => {
    loading = undefined;
    throw new Error(
      "DualStreamModule: kafka.driver is 'platformatic' but @platformatic/kafka could not be loaded " +
        `(${(err as Error).message}). Install it next to the module: npm i @platformatic/kafka`,
      { cause: err },
    );
  });
  return loading;
}
