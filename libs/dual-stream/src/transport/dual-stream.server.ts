import { Inject, Injectable, type LoggerService, type OnApplicationShutdown } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Cluster, Redis } from 'ioredis';
import { EventEmitter } from 'node:events';
import { lastValueFrom } from 'rxjs';
import { DUAL_STREAM_TRANSPORT } from '../constants.js';
import { DUAL_STREAM_RESOLVED_OPTIONS as RESOLVED_OPTIONS_TOKEN } from '../constants.js';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { kafkaDriverFor } from '../kafka/kafka-driver.factory.js';
import { DeadLetterProducer } from './dead-letter.producer.js';
import { DurableGroupConsumer, type GroupJoinInfo } from './durable-group.consumer.js';
import type { DeadLetterInfo } from './dead-letter.writer.js';
import { capturedFailure } from './failure-capture.interceptor.js';
import { classifyFailure, type HandlerFailure } from './failure-classifier.js';
import { buildHandlerRegistry, type HandlerRegistry } from './handler-registry.js';
import type { RealtimeContext } from './realtime.context.js';
import { RealtimeSubscriber } from './realtime-subscriber.js';

export type DualStreamServerStatus = 'connecting' | 'connected' | 'disconnected';

/** What `server.on(event, callback)` reports. */
export type DualStreamServerEvents = {
  /** A consumer joined its group (once at start; again only after a rebalance). */
  'group.join': (info: GroupJoinInfo) => void;
  /** A record went to its dead-letter topic and its offset moves on. */
  'dead-letter': (info: DeadLetterInfo) => void;
};

/** What `unwrap()` returns. */
export interface DualStreamServerClients {
  /** The Kafka driver's name (`kafka.driver`), which says what the objects below are. */
  driver: string;
  /** groupId -> its consumer, the driver's own object (a kafkajs `Consumer` with the kafkajs driver). */
  consumers: Map<string, unknown>;
  /** The dead-letter producer (the driver's own object), once it was needed. */
  deadLetterProducer: unknown;
  /** The realtime subscriber connection (the cluster client with `redis.cluster`), when there are `@OnRealtime` handlers. */
  redis: Redis | Cluster | undefined;
}

/**
 * The transport behind `@OnDurable` and `@OnRealtime`. Get it from the container so it uses the module's options:
 * `app.connectMicroservice({ strategy: app.get(DualStreamServer) }, { inheritAppConfig: true })`, or
 * `NestFactory.createMicroservice(AppModule, { inject: [DualStreamServer], useFactory: (strategy) => ({ strategy }) })`.
 */
@Injectable()
export class DualStreamServer
  extends Server<DualStreamServerEvents, DualStreamServerStatus>
  implements CustomTransportStrategy, OnApplicationShutdown
{
  override readonly transportId = DUAL_STREAM_TRANSPORT;
  /** Failures are handled here (retry, dead letter) and logged by Nest's exception filter; nothing else reports them. */
  override readonly propagatesEventHandlerErrors = true;

  private readonly emitter = new EventEmitter();
  private readonly out: LoggerService;
  private started = false;
  private deadLetters: DeadLetterProducer | undefined;
  private groups: DurableGroupConsumer[] = [];
  private subscriber: RealtimeSubscriber | undefined;
  private listening = false;
  private closing: Promise<void> | undefined;

  constructor(@Inject(RESOLVED_OPTIONS_TOKEN) private readonly options: ResolvedDualStreamOptions) {
    super();
    this.out = options.logger;
    this.initializeSerializer({});
    this.initializeDeserializer({});
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      if (this.listening) throw new Error('DualStreamServer is already listening; connect it to one application only.');
      this.listening = true;
      const registry = buildHandlerRegistry(this.messageHandlers, this.options);
      this.logRoutes(registry);
      this._status$.next('connecting');
      await this.startDurable(registry);
      await this.startRealtime(registry);
      this._status$.next('connected');
      callback();
    } catch (err) {
      await this.shutdown().catch(() => undefined);
      callback(err);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.listening) await this.close();
  }

  on<K extends keyof DualStreamServerEvents>(event: K, callback: DualStreamServerEvents[K]): this {
    this.emitter.on(event, callback as (...args: unknown[]) => void);
    return this;
  }

  unwrap<T = DualStreamServerClients>(): T {
    if (!this.started) {
      throw new Error('DualStreamServer is not listening yet: call app.startAllMicroservices() (or listen()) first.');
    }
    const clients: DualStreamServerClients = {
      driver: kafkaDriverFor(this.options).name,
      consumers: new Map(this.groups.map((g) => [g.groupId, g.consumer.native])),
      deadLetterProducer: this.deadLetters?.instance,
      redis: this.subscriber?.connection,
    };
    return clients as T;
  }

  private async startDurable(registry: HandlerRegistry): Promise<void> {
    this.started = true;
    if (registry.groups.size === 0) return;
    const driver = kafkaDriverFor(this.options);
    this.deadLetters = new DeadLetterProducer(this.options);
    const events = {
      onGroupJoin: (info: GroupJoinInfo) => this.emitter.emit('group.join', info),
      onDeadLetter: (info: DeadLetterInfo) => this.emitter.emit('dead-letter', info),
      // Readiness must see a group that stopped consuming for good.
      onFatal: () => this._status$.next('disconnected'),
    };
    for (const [groupId, routes] of registry.groups) {
      this.groups.push(
        new DurableGroupConsumer(
          driver,
          groupId,
          routes,
          this.options,
          this.invokeDurable,
          this.deadLetters,
          events,
          this.out,
        ),
      );
    }
    await Promise.all(this.groups.map((group) => group.start()));
    await this.warnMissingDeadLetterTopics(registry);
  }

  /**
   * Topic auto-creation is off, so a missing dead-letter topic would hold its partition (a failed record stays
   * uncommitted until its dead letter is written): say so at start, once per topic, with the fix.
   */
  private async warnMissingDeadLetterTopics(registry: HandlerRegistry): Promise<void> {
    const wanted = [...new Set([...registry.groups.values()].flat().map((route) => route.deadLetterTopic))];
    const admin = kafkaDriverFor(this.options).admin('server');
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      for (const topic of wanted.filter((t) => !existing.has(t))) {
        this.out.warn(
          `dual-stream: dead-letter topic ${topic} does not exist (topic auto-creation is off); a record that fails ` +
            `for good will wait uncommitted until it does. Create it: DualStreamTopics.ensure(['${topic}']).`,
        );
      }
    } catch {
      // Kafka answered the consumers a moment ago; if it does not now, the next failure will say so.
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async startRealtime(registry: HandlerRegistry): Promise<void> {
    if (registry.realtime.length === 0) return;
    this.subscriber = new RealtimeSubscriber(this.options, registry.realtime, this.invokeRealtime, this.out);
    await this.subscriber.start();
  }

  private async shutdown(): Promise<void> {
    const timeoutMs = this.options.consumer.shutdownTimeoutMs;
    await Promise.all(this.groups.map((group) => group.stop(timeoutMs)));
    await this.deadLetters?.close().catch(() => undefined);
    await this.subscriber?.stop();
    this.groups = [];
    this._status$.next('disconnected');
  }

  /** Runs the handler through Nest's pipeline (guards, interceptors, pipes, filters) and awaits its result. */
  private readonly invokeDurable = async (
    pattern: string,
    payload: unknown,
    ctx: object,
  ): Promise<HandlerFailure | undefined> => {
    let failure: HandlerFailure | undefined;
    await this.withProcessingHooks(ctx, async () => {
      try {
        await this.runHandler(pattern, payload, ctx);
      } catch (error) {
        const seen = capturedFailure(ctx);
        failure = classifyFailure(seen.error, error, seen.reached);
      }
    });
    return failure;
  };

  private readonly invokeRealtime = async (pattern: string, payload: unknown, ctx: RealtimeContext): Promise<void> => {
    await this.withProcessingHooks(ctx, async () => {
      try {
        await this.runHandler(pattern, payload, ctx);
      } catch (error) {
        const failure = classifyFailure(undefined, error, true);
        this.out.warn(
          `dual-stream: @OnRealtime handler for ${ctx.getChannel()} failed (${failure.name}: ${failure.message})`,
        );
      }
    });
  };

  /**
   * Nest's processing hooks (tracing spans) around `work`, resolved when `work` is done. Nest types
   * `runWithProcessingHooks` as void and a user's start hook need not return `done()`'s promise, so completion
   * is awaited through our own promise rather than the hook's return value.
   */
  private withProcessingHooks(ctx: object, work: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.runWithProcessingHooks(ctx as never, async (runEndHook) => {
        try {
          await work();
        } finally {
          runEndHook();
          resolve();
        }
      });
    });
  }

  private async runHandler(pattern: string, payload: unknown, ctx: object): Promise<void> {
    const handler = this.messageHandlers.get(pattern);
    if (!handler) throw new Error(`no handler registered for ${pattern}`);
    const result = await handler(payload, ctx);
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }

  private logRoutes(registry: HandlerRegistry): void {
    for (const routes of registry.groups.values()) {
      for (const r of routes) {
        this.out.log(
          `@OnDurable ${r.topic} -> group ${r.groupId} (concurrency ${r.concurrency}, keyConcurrency ${r.keyConcurrency}, ` +
            `attempts ${r.retry.attempts}, dead letters to ${r.deadLetterTopic}${r.batch ? `, batches of <= ${r.maxBatchSize}` : ''})`,
        );
      }
    }
    const prefix = this.options.redis === false ? '' : this.options.redis.channelPrefix;
    for (const r of registry.realtime) {
      this.out.log(`@OnRealtime ${r.isPattern ? 'PSUBSCRIBE' : 'SUBSCRIBE'} ${prefix}${r.channel}`);
    }
  }
}
