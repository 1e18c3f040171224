import { BaseRpcContext } from '@nestjs/microservices';

/** Where a record came from and which delivery this is; `@Ctx()` of an `@OnDurable` handler. */
export interface DurableRecordInfo {
  topic: string;
  partition: number;
  /** Decimal string, as in kafkajs. */
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  /** Broker timestamp (ms since epoch, decimal string). */
  timestamp: string;
  groupId: string;
  /** 1 for the first delivery, 2 for the first retry, ... */
  attempt: number;
}

export class DurableContext extends BaseRpcContext<[DurableRecordInfo]> {
  constructor(
    private readonly info: DurableRecordInfo,
    private readonly sendHeartbeat: () => Promise<void>,
  ) {
    super([info]);
  }

  get topic(): string {
    return this.info.topic;
  }
  get partition(): number {
    return this.info.partition;
  }
  get offset(): string {
    return this.info.offset;
  }
  get key(): string | null {
    return this.info.key;
  }
  /** Record headers as strings (CloudEvents `ce_*` plus the publisher's headers). */
  get headers(): Record<string, string> {
    return this.info.headers;
  }
  get timestamp(): string {
    return this.info.timestamp;
  }
  get groupId(): string {
    return this.info.groupId;
  }
  get attempt(): number {
    return this.info.attempt;
  }

  /**
   * Tells the group coordinator this consumer is alive. The transport already heartbeats in the background
   * while handlers run; call it from very long loops if you want to be explicit. Never throws.
   */
  async heartbeat(): Promise<void> {
    await this.sendHeartbeat().catch(() => undefined);
  }
}

/** `@Ctx()` of a `batch: true` handler: one call per partition batch, all records in offset order. */
export class DurableBatchContext extends BaseRpcContext<[DurableRecordInfo[]]> {
  readonly topic: string;
  readonly partition: number;
  readonly groupId: string;
  readonly attempt: number;
  /** Per-record positions, keys and headers, in the order of the payload array. */
  readonly records: readonly DurableRecordInfo[];

  constructor(
    records: DurableRecordInfo[],
    private readonly sendHeartbeat: () => Promise<void>,
  ) {
    super([records]);
    this.records = records;
    ({ topic: this.topic, partition: this.partition, groupId: this.groupId, attempt: this.attempt } = records[0]);
  }

  get firstOffset(): string {
    return this.records[0].offset;
  }

  get lastOffset(): string {
    return this.records[this.records.length - 1].offset;
  }

  async heartbeat(): Promise<void> {
    await this.sendHeartbeat().catch(() => undefined);
  }
}
