import type { Browser } from 'playwright-core';
import { ensureClientBundle } from '../../client/support/client-bundle.js';
import { launchChromium } from '../../support/chromium.js';
import { createTopic, uniqueName } from '../../support/infra.js';
import { ensureBuilt, http, startService, type ServiceProcess } from './service-process.js';

/** A gateway (dev tokens on) and an ingester on a fresh source type, and a Chromium to open the dashboard in. */
export interface DashboardStack {
  /** The source type (its topic has 3 partitions). */
  type: string;
  /** The gateway's environment, to start it again after a kill. */
  gatewayEnv: Record<string, string>;
  gateway: ServiceProcess;
  ingester: ServiceProcess;
  browser: Browser;
  /** POSTs one event of source `{type}:{id}` through the ingester; resolves with its status and receipt id. */
  post(id: string, data?: object): Promise<{ status: number; id: string }>;
  stop(): Promise<void>;
}

/** `gatewayEnv` is added to the stack's own (channel prefix, JWT secret, dev tokens). */
export async function startDashboardStack(
  name: string,
  gatewayEnv: (type: string) => Record<string, string> = () => ({}),
): Promise<DashboardStack> {
  const prefix = `${uniqueName(name)}:`;
  const type = uniqueName(name).replace(/-/g, '_');
  // The page is built on the SDK's browser bundle, which the gateway serves at /client.js.
  await Promise.all([ensureBuilt(), ensureClientBundle(), createTopic(`events.${type}`, 3)]);
  const env = {
    CHANNEL_PREFIX: prefix,
    GATEWAY_JWT_SECRET: 'dashboard-test-secret-0123456789abcdef',
    GATEWAY_DEV_TOKENS: '1',
    ...gatewayEnv(type),
  };
  const [gateway, ingester] = await Promise.all([
    startService('gateway', env),
    startService('ingester', { CHANNEL_PREFIX: prefix, SOURCE_TYPES: type }),
  ]);
  const stack: DashboardStack = {
    type,
    gatewayEnv: env,
    gateway,
    ingester,
    browser: await launchChromium(),
    post: async (id, data = {}) => {
      const res = await http(`${ingester.url}/events`, {
        body: { type: 'order.updated', source: { type, id }, data },
      });
      return { status: res.status, id: res.body?.id };
    },
    stop: async () => {
      await stack.browser.close();
      await Promise.all([stack.gateway.stop(), stack.ingester.stop()]);
    },
  };
  return stack;
}
