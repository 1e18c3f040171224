import { BaseRpcContext } from '@nestjs/microservices';

/** Where a record came from and which delivery this is; `@Ctx()` of an `@OnDurable` handler. */
export interface DurableRecordInfo {
  topic: string;
  partition: number;
  /** Decimal string, as in kafkajs. */
  offset: string;
  key: string | null;
  /** Record headers as strings (CloudEvents `ce_*` plus the publisher's headers). */
  headers: Record<string, string>;
  /** Broker timestamp (ms since epoch, decimal string). */
  timestamp: string;
  groupId: string;
  /** 1 for the first delivery, 2 for the first retry, ... */
  attempt: number;
}

/**
 * What every `@OnDurable` context answers, one record or a batch: `getX()` accessors as Nest's own
 * `KafkaContext` has them.
 */
abstract class DurableDeliveryContext<Args extends unknown[]> extends BaseRpcContext<Args> {
  protected constructor(
    args: Args,
    private readonly first: DurableRecordInfo,
    private readonly sendHeartbeat: () => Promise<void>,
  ) {
    super(args);
  }

  getTopic(): string {
    return this.first.topic;
  }

  getPartition(): number {
    return this.first.partition;
  }

  getGroupId(): string {
    return this.first.groupId;
  }

  /** 1 for the first delivery, 2 for the first retry, ... */
  getAttempt(): number {
    return this.first.attempt;
  }

  /**
   * Tells the group coordinator this consumer is alive. The transport already heartbeats in the background
   * while handlers run; call it from very long loops if you want to be explicit. Never throws.
   */
  async heartbeat(): Promise<void> {
    await this.sendHeartbeat().catch(() => undefined);
  }
}

/**
 * `@Ctx()` of an `@OnDurable` handler: one record.
 *
 * @example
 * ```ts
 * await this.billing.apply(event, { partition: ctx.getPartition(), offset: ctx.getOffset() });
 * ```
 */
export class DurableContext extends DurableDeliveryContext<[DurableRecordInfo]> {
  constructor(
    private readonly info: DurableRecordInfo,
    sendHeartbeat: () => Promise<void>,
  ) {
    super([info], info, sendHeartbeat);
  }

  getOffset(): string {
    return this.info.offset;
  }

  getKey(): string | null {
    return this.info.key;
  }

  /** Record headers as strings (CloudEvents `ce_*` plus the publisher's headers). */
  getHeaders(): Record<string, string> {
    return this.info.headers;
  }

  /** Broker timestamp (ms since epoch, decimal string). */
  getTimestamp(): string {
    return this.info.timestamp;
  }
}

/** `@Ctx()` of a `batch: true` handler: one call per partition batch, all records in offset order. */
export class DurableBatchContext extends DurableDeliveryContext<[DurableRecordInfo[]]> {
  constructor(
    private readonly records: readonly DurableRecordInfo[],
    sendHeartbeat: () => Promise<void>,
  ) {
    super([[...records]], records[0], sendHeartbeat);
  }

  /** Per-record positions, keys and headers, in the order of the payload array. */
  getRecords(): readonly DurableRecordInfo[] {
    return this.records;
  }

  getFirstOffset(): string {
    return this.records[0].offset;
  }

  getLastOffset(): string {
    return this.records[this.records.length - 1].offset;
  }
}
