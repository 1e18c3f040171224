import { ensureBuilt, startService, type ServiceName, type ServiceProcess } from './service-process.js';

export interface FleetSize {
  gateways: number;
  consumers: number;
}

/**
 * One ingester and N gateways and N consumers as separate processes sharing one environment (one Kafka, one
 * Redis, one prefix, one consumer group): the "several instances of every app" deployment. Ports are taken in
 * order from `basePort` (ingester, gateways, consumers), so a test can put them behind a load balancer.
 */
export class ServiceFleet {
  ingester!: ServiceProcess;
  readonly gateways: ServiceProcess[] = [];
  readonly consumers: ServiceProcess[] = [];

  constructor(
    readonly env: Record<string, string>,
    private readonly basePort: number,
  ) {}

  /** The ingester first (it creates the topics), then every gateway and consumer side by side. */
  async start({ gateways, consumers }: FleetSize): Promise<void> {
    await ensureBuilt();
    this.ingester = await startService('ingester', this.env, this.basePort);
    const port = (i: number) => this.basePort + 1 + i;
    const started = await Promise.all([
      ...Array.from({ length: gateways }, (_, i) => startService('gateway', this.env, port(i))),
      ...Array.from({ length: consumers }, (_, i) => startService('consumer', this.env, port(gateways + i))),
    ]);
    this.gateways.push(...started.slice(0, gateways));
    this.consumers.push(...started.slice(gateways));
  }

  all(): ServiceProcess[] {
    return [this.ingester, ...this.gateways, ...this.consumers].filter(Boolean);
  }

  of(name: ServiceName): ServiceProcess[] {
    return name === 'ingester' ? [this.ingester] : name === 'gateway' ? this.gateways : this.consumers;
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.all().map((s) => s.stop()));
  }
}
