// Plumbing shared by the three demo services (not part of the dual-stream library's API).
export { bootstrapService, type ServiceBootstrapOptions } from './bootstrap.js';
export {
  readServiceEnv,
  dualStreamOptionsFromEnv,
  topicFor,
  intFromEnv,
  redactUrl,
  type ServiceEnv,
} from './config/service-env.js';
export { createServiceLogger } from './logging/service-logger.js';
export { HealthController } from './health/health.controller.js';
export { ServiceHealthModule, type ServiceHealthModuleOptions } from './health/service-health.module.js';
export type { ReadinessCheck, ServiceHealthOptions } from './health/service-health.options.js';
export { ServiceMetrics, type SnapshotSample } from './metrics/service-metrics.js';
export { ServiceMetricsModule } from './metrics/service-metrics.module.js';
export { DualStreamMetricsRegistrar, type LibraryMetricsSource } from './metrics/dual-stream-metrics.registrar.js';
export { ServiceKitModule, type ServiceKitOptions } from './service-kit.module.js';
