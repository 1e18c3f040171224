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
  private readonly rejected = new Map<number, Error>();

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

  /**
   * Dead-letters the record at `index` (of the payload array) on its own, without a retry, once the handler has
   * returned: for a record the handler cannot use while the rest of the batch is fine. Has no effect when the
   * handler throws (then the whole batch is retried, and dead-lettered together if it keeps failing).
   *
   * @example
   * ```ts
   * events.forEach((event, i) => (isUsable(event) ? usable.push(event) : ctx.reject(i, new Error('no account id'))));
   * ```
   */
  reject(index: number, reason: Error): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.records.length) {
      throw new RangeError(`reject(${index}): the batch has records 0 to ${this.records.length - 1}`);
    }
    this.rejected.set(index, reason);
  }

  /** The records `reject` was called for, by index, in offset order. @internal */
  rejections(): [number, Error][] {
    return [...this.rejected].sort((a, b) => a[0] - b[0]);
  }
}
