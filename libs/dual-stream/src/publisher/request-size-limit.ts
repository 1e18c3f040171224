/**
 * The v2 record batch header: base offset (8), length (4), leader epoch (4), magic (1), CRC (4), attributes
 * (2), last offset delta (4), first and max timestamp (8 + 8), producer id (8), producer epoch (2), base
 * sequence (4), record count (4). The broker counts it against `message.max.bytes` with the records.
 */
const RECORD_BATCH_HEADER_BYTES = 61;

/** Kept free below the broker's limit, for whatever the estimate of `recordBytes` could miss. */
function safetyMarginBytes(messageMaxBytes: number): number {
  return Math.max(1024, Math.ceil(messageMaxBytes / 100));
}

const SOURCE_LABEL = { option: 'kafka.messageMaxBytes', broker: 'the brokers', default: "Kafka's default" } as const;

/**
 * How many record bytes one Kafka produce request of the publisher may carry. kafkajs turns one `sendBatch`
 * into one record batch per partition, and the broker refuses a partition's batch (MESSAGE_TOO_LARGE) when it
 * exceeds `message.max.bytes` (a topic's `max.message.bytes`). Which partition a record lands on is decided
 * inside kafkajs at send time (and again on a retry after a metadata change), so the publisher bounds the
 * records of the whole request: that bounds every partition's batch, whatever the partitioning.
 */
export class RequestSizeLimit {
  private max: number;
  private records: number;

  constructor(
    messageMaxBytes: number,
    /** Where the limit came from: the `kafka.messageMaxBytes` option, the brokers' config, or Kafka's default. */
    public source: keyof typeof SOURCE_LABEL,
  ) {
    this.max = messageMaxBytes;
    this.records = RequestSizeLimit.recordBytesFor(messageMaxBytes);
  }

  /** The broker's `message.max.bytes` this limit follows. */
  get messageMaxBytes(): number {
    return this.max;
  }

  /** Record bytes (`recordBytes` of each event, summed) one request may carry. */
  get recordBytes(): number {
    return this.records;
  }

  update(messageMaxBytes: number, source: RequestSizeLimit['source']): void {
    this.max = messageMaxBytes;
    this.records = RequestSizeLimit.recordBytesFor(messageMaxBytes);
    this.source = source;
  }

  /** Why a single record of `bytes` can never be sent, or undefined when it fits. */
  problemFor(bytes: number): string | undefined {
    if (bytes <= this.records) return undefined;
    return (
      `its Kafka record is up to ${bytes} bytes (envelope, key, headers and framing), over the ${this.records} ` +
      `bytes one produce request may carry (message.max.bytes ${this.max} from ${SOURCE_LABEL[this.source]}, less ` +
      'the batch header and a safety margin); make data smaller'
    );
  }

  private static recordBytesFor(messageMaxBytes: number): number {
    return messageMaxBytes - RECORD_BATCH_HEADER_BYTES - safetyMarginBytes(messageMaxBytes);
  }
}
