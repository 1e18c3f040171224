import 'reflect-metadata';
import { DUAL_STREAM_TRANSPORT } from '../constants.js';
import { HandlerMetadataAccessor } from './handler-metadata.accessor.js';
import { OnDurable } from './on-durable.decorator.js';
import { OnRealtime } from './on-realtime.decorator.js';

// Nest's own keys, read here only to prove the decorators are plain EventPattern handlers of our transport.
const PATTERN_METADATA = 'microservices:pattern';
const TRANSPORT_METADATA = 'microservices:transport';
const PATTERN_EXTRAS_METADATA = 'microservices:pattern_extras';

class Handlers {
  @OnDurable('events.order')
  orders(): void {}

  @OnDurable({ topic: 'events.user', groupId: 'audit', keyConcurrency: 8 })
  users(): void {}

  @OnRealtime('events:order:o-1')
  live(): void {}

  @OnRealtime('events:order:*')
  dashboard(): void {}

  @OnRealtime({ pattern: 'events:user:eu-*' })
  explicitPattern(): void {}
}

/** What the transport server sees for a registered handler: Nest's EventPattern extras. */
const extrasOf = (method: object) =>
  HandlerMetadataAccessor.fromExtras(Reflect.getMetadata(PATTERN_EXTRAS_METADATA, method) as Record<string, unknown>);

describe('HandlerMetadataAccessor', () => {
  const proto = Handlers.prototype;

  it('reads @OnDurable options from the EventPattern extras, as given', () => {
    expect(extrasOf(proto.orders)).toEqual({ kind: 'durable', options: { topic: 'events.order' } });
    expect(extrasOf(proto.users)).toEqual({
      kind: 'durable',
      options: { topic: 'events.user', groupId: 'audit', keyConcurrency: 8 },
    });
  });

  it('namespaces patterns so both kinds live in one controller and groups stay apart', () => {
    expect(Reflect.getMetadata(PATTERN_METADATA, proto.orders)).toEqual(['durable:events.order']);
    expect(Reflect.getMetadata(PATTERN_METADATA, proto.users)).toEqual(['durable:events.user@audit']);
    expect(Reflect.getMetadata(PATTERN_METADATA, proto.live)).toEqual(['realtime:events:order:o-1']);
    expect(Reflect.getMetadata(TRANSPORT_METADATA, proto.orders)).toBe(DUAL_STREAM_TRANSPORT);
    expect(Reflect.getMetadata(TRANSPORT_METADATA, proto.live)).toBe(DUAL_STREAM_TRANSPORT);
  });

  it('tells exact channels from glob patterns', () => {
    expect(extrasOf(proto.live)).toEqual({
      kind: 'realtime',
      options: { channel: 'events:order:o-1', isPattern: false },
    });
    expect(extrasOf(proto.dashboard)).toEqual({
      kind: 'realtime',
      options: { channel: 'events:order:*', isPattern: true },
    });
    expect(extrasOf(proto.explicitPattern)).toEqual({
      kind: 'realtime',
      options: { channel: 'events:user:eu-*', isPattern: true },
    });
  });

  it('returns undefined for foreign or missing extras', () => {
    expect(HandlerMetadataAccessor.fromExtras({ other: 1 })).toBeUndefined();
    expect(HandlerMetadataAccessor.fromExtras(undefined)).toBeUndefined();
  });
});
