// Plumbing shared by the three demo services (not part of the dual-stream library's API).
export { bootstrapService, type ServiceBootstrapOptions } from './bootstrap.js';
export { HealthController } from './health/health.controller.js';
