import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS, resolveDualStreamOptions } from './dual-stream-options.resolver.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const INTERFACE_FILE = path.join(here, 'interfaces', 'dual-stream-options.interface.ts');
const CLIENT_SETTINGS_FILE = path.join(here, 'interfaces', 'kafka-client-options.interface.ts');
const DOCS_FILE = path.join(here, '..', '..', '..', 'docs', 'configuration.md');

/** Where each options interface sits in `DualStreamModuleOptions`. */
const PREFIX_OF: Record<string, string> = {
  DualStreamModuleOptions: '',
  DualStreamKafkaOptions: 'kafka.',
  DualStreamTopicOptions: 'kafka.topics.',
  DualStreamRedisOptions: 'redis.',
  DualStreamRealtimeOptions: 'realtime.',
  DualStreamBatchOptions: 'batch.',
  DualStreamBufferOptions: 'buffer.',
  DualStreamDurableOptions: 'durable.',
  DualStreamConsumerOptions: 'consumer.',
  DualStreamRetryOptions: 'consumer.retry.',
  DualStreamHubOptions: 'hub.',
  DualStreamReplayOptions: 'replay.',
};
/**
 * Where each interface of the client settings sits. `KafkajsRetryOptions` is also `kafka.producer.retry`, whose
 * object default `KafkajsProducerConfig.retry` states.
 */
const CLIENT_PREFIX_OF: Record<string, string> = {
  KafkajsClientConfig: 'kafka.config.',
  KafkajsRetryOptions: 'kafka.config.retry.',
  KafkajsProducerConfig: 'kafka.producer.',
  PlatformaticClientOptions: 'kafka.platformatic.',
};
/** Defaults that are not literals, so `DEFAULTS` cannot hold them: the resolver derives them. */
const NOT_LITERAL = new Set(['kafka.brokers', 'consumer.groupIdPrefix', 'logger', 'redis.sharded']);

/** `@default` text of every option, by path (`kafka.clientId`); `@default see X` marks a section and is skipped. */
function jsdocDefaults(file = INTERFACE_FILE, prefixOf = PREFIX_OF): Map<string, string> {
  const source = readFileSync(file, 'utf8');
  const defaults = new Map<string, string>();
  for (const [, name, body] of source.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
    const prefix = prefixOf[name];
    if (prefix === undefined) throw new Error(`interface ${name} of ${file} has no option prefix: add it`);
    for (const [, comment, field] of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*(\w+)\??:/g)) {
      const text = /@default\s+([\s\S]*?)\s*(?:@\w+|$)/.exec(comment.replace(/^\s*\* ?/gm, ' '))?.[1];
      if (text === undefined) throw new Error(`${prefix}${field} has no @default in its JSDoc`);
      const flat = text.replace(/\s+/g, ' ').trim();
      if (!flat.startsWith('see ')) defaults.set(prefix + field, flat);
    }
  }
  return defaults;
}

/** The Default cell of every row of docs/configuration.md "Module options", code spans unwrapped. */
function docsDefaults(): Map<string, string> {
  const docs = readFileSync(DOCS_FILE, 'utf8');
  const section = docs.slice(
    docs.indexOf('## Module options'),
    docs.indexOf('\n## ', docs.indexOf('## Module options')),
  );
  const defaults = new Map<string, string>();
  for (const [, option, cell] of section.matchAll(/^\| `([\w.]+)` \| (.+?) \| .* \|$/gm)) {
    if (defaults.has(option)) throw new Error(`docs/configuration.md lists ${option} twice`);
    defaults.set(
      option,
      cell.replace(/``\s?(.+?)\s?``|`([^`]*)`/g, (_span, double?: string, single?: string) => double ?? single ?? ''),
    );
  }
  return defaults;
}

/** The value a documented default stands for: a number (a note in parentheses may follow), boolean, string or object. */
function parseDefault(text: string): unknown {
  if (/^-?[\d_]+( \(.*\))?$/.test(text)) return Number(text.split(' ')[0].replaceAll('_', ''));
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^'[^']*'$/.test(text)) return text.slice(1, -1);
  if (text.startsWith('{')) {
    const json = text.replace(/([{,]\s*)([A-Za-z_$][\w$]*)\s*:/g, '$1"$2":').replace(/'/g, '"');
    return JSON.parse(json);
  }
  throw new Error(`cannot read the default "${text}"`);
}

function valueAt(object: unknown, option: string): unknown {
  return option.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown>)?.[key], object);
}

/** Every leaf of DEFAULTS (plain objects are walked into), by path. */
function leaves(object: object, prefix = ''): string[] {
  return Object.entries(object).flatMap(([key, value]) =>
    value && typeof value === 'object' && Object.keys(value).length > 0
      ? leaves(value as object, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}

describe('option defaults: DEFAULTS, the JSDoc @default tags and docs/configuration.md agree', () => {
  const jsdoc = jsdocDefaults();
  const docs = docsDefaults();

  it('documents every option of the interfaces, one row each, with the @default text', () => {
    expect([...docs.keys()].sort()).toEqual([...jsdoc.keys()].sort());
    for (const [option, text] of jsdoc) expect({ option, text: docs.get(option) }).toEqual({ option, text });
  });

  it('says in every @default what the resolver applies, the client settings passed on as they are included', () => {
    for (const [option, text] of [...jsdoc, ...jsdocDefaults(CLIENT_SETTINGS_FILE, CLIENT_PREFIX_OF)]) {
      const actual = valueAt(DEFAULTS, option);
      if (NOT_LITERAL.has(option)) {
        expect({ option, actual }).toEqual({ option, actual: undefined });
      } else if (typeof actual === 'function') {
        expect({ option, text }).toEqual({ option, text: actual.toString() });
      } else if (text.startsWith('undefined')) {
        expect({ option, actual }).toEqual({ option, actual: undefined });
      } else {
        expect({ option, value: parseDefault(text) }).toEqual({ option, value: actual });
      }
    }
  });

  it('has no default in DEFAULTS that the interfaces do not document', () => {
    const documented = [...jsdoc.keys()];
    const undocumented = leaves(DEFAULTS).filter(
      (leaf) => !documented.some((o) => leaf === o || leaf.startsWith(`${o}.`)),
    );
    expect(undocumented).toEqual([]);
  });
});

describe('resolveDualStreamOptions', () => {
  const brokers = ['kafka:9092'];

  it('applies every default, deriving the group prefix from the client id', () => {
    const resolved = resolveDualStreamOptions({ kafka: { brokers }, logger: false });
    expect(resolved.batch).toEqual(DEFAULTS.batch);
    expect(resolved.durable).toEqual(DEFAULTS.durable);
    expect(resolved.consumer).toEqual({ ...DEFAULTS.consumer, groupIdPrefix: 'dual-stream' });
    expect(resolved.kafka).toMatchObject({ brokers, clientId: 'dual-stream', messageMaxBytes: 'broker' });
    expect(resolved.kafka.producer).toEqual(DEFAULTS.kafka.producer);
    expect(resolved.redis).toEqual({ ...DEFAULTS.redis, sharded: false });
    expect(resolved.maxEventBytes).toBe(DEFAULTS.maxEventBytes);
  });

  it('takes what the user set, field by field, and treats undefined as unset', () => {
    const resolved = resolveDualStreamOptions({
      kafka: { brokers, clientId: 'app', producer: { maxInFlightRequests: 1, transactionTimeout: 5000 } },
      batch: { maxEvents: 50, lingerMs: undefined },
      consumer: { retry: { attempts: 2 } },
      logger: false,
    });
    expect(resolved.batch).toEqual({ ...DEFAULTS.batch, maxEvents: 50 });
    expect(resolved.consumer.groupIdPrefix).toBe('app');
    expect(resolved.consumer.retry).toEqual({ ...DEFAULTS.consumer.retry, attempts: 2 });
    expect(resolved.kafka.producer).toEqual({ ...DEFAULTS.kafka.producer, transactionTimeout: 5000 });
  });

  it('turns realtime off without Redis', () => {
    const resolved = resolveDualStreamOptions({ kafka: { brokers }, redis: false, logger: false });
    expect(resolved.redis).toBe(false);
    expect(resolved.realtime.enabled).toBe(false);
  });

  it('uses sharded Pub/Sub exactly with a Redis Cluster', () => {
    const nodes = [{ host: '10.0.0.1', port: 7000 }];
    const resolved = resolveDualStreamOptions({ kafka: { brokers }, redis: { cluster: { nodes } }, logger: false });
    expect(resolved.redis).toMatchObject({ sharded: true, cluster: { nodes }, channelPrefix: '' });
    expect(() => resolveDualStreamOptions({ kafka: { brokers }, redis: { sharded: true }, logger: false })).toThrow(
      /redis\.sharded needs redis\.cluster/,
    );
    expect(() =>
      resolveDualStreamOptions({ kafka: { brokers }, redis: { cluster: { nodes }, sharded: false }, logger: false }),
    ).toThrow(/works only with sharded Pub\/Sub.*Remove redis\.sharded: false/);
    expect(() =>
      resolveDualStreamOptions({ kafka: { brokers }, redis: { cluster: { nodes: [] } }, logger: false }),
    ).toThrow(/redis\.cluster\.nodes must name at least one node/);
  });

  it('refuses a configuration that cannot work, saying how to fix it', () => {
    expect(() => resolveDualStreamOptions({ kafka: { brokers: [] } })).toThrow(/kafka\.brokers is required/);
    for (const messageMaxBytes of [0, 1000, 1.5, Number.NaN]) {
      expect(() => resolveDualStreamOptions({ kafka: { brokers, messageMaxBytes }, logger: false })).toThrow(
        /kafka\.messageMaxBytes must be 'broker'.*at least 4096/,
      );
    }
    expect(
      resolveDualStreamOptions({ kafka: { brokers, messageMaxBytes: 65_536 }, logger: false }).kafka,
    ).toMatchObject({ messageMaxBytes: 65_536 });
  });
});
