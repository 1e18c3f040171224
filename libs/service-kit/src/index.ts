// Plumbing shared by the three demo services (not part of the dual-stream library's API).
export { bootstrapService, type ServiceBootstrapOptions } from './bootstrap.js';
export {
  readServiceEnv,
  dualStreamOptionsFromEnv,
  topicFor,
  sourceTopics,
  redactUrl,
  type ServiceEnv,
} from './config/service-env.js';
export { intFromEnv, flagFromEnv, listFromEnv, stringFromEnv, isProduction } from './config/env-values.js';
export { readSourceTypes, isSourceType, DEFAULT_SOURCE_TYPES } from './config/source-types.parser.js';
export { ConfigurationError, CONFIGURATION_EXIT_CODE } from './errors/configuration.error.js';
export { ensureSourceTopics } from './kafka/ensure-topics.js';
export { LazyKafkaAdmin } from './kafka/lazy-admin.js';

// Client authentication, shared by the gateway (socket handshake) and the consumer (HTTP)
export { type GatewayPrincipal, canSubscribe, canSubscribePattern } from './auth/gateway-principal.js';
export { TokenVerifier } from './auth/token-verifier.js';
export { JwtTokenVerifier, signGatewayToken } from './auth/jwt-token.verifier.js';
export { AUTH_CONFIG, type AuthConfig } from './auth/auth-config.js';
export { readAuthEnv, KNOWN_PLACEHOLDER_SECRETS, type AuthEnv } from './auth/auth-env.parser.js';
export { BearerAuthGuard, type AuthenticatedRequest } from './auth/bearer-auth.guard.js';
export { bearerToken } from './auth/bearer-token.js';
export { ApiKeyVerifier } from './auth/api-key.verifier.js';
export { ServiceAuthModule } from './auth/service-auth.module.js';

// Problem bodies (RFC 9457)
export { PROBLEM_TYPES, problemTypeUri, codeForStatus, type ProblemCode } from './problems/problem-types.js';
export { problem, isProblemBody, ProblemException, type ProblemBody } from './problems/problem.js';
export { sendProblem, PROBLEM_CONTENT_TYPE } from './problems/send-problem.js';
export { ProblemExceptionFilter, toProblem } from './problems/problem-exception.filter.js';

export { createServiceLogger } from './logging/service-logger.js';
export { RateLimitedLog } from './logging/rate-limited-log.js';
export { HealthController } from './health/health.controller.js';
export { ServiceHealthModule, type ServiceHealthModuleOptions } from './health/service-health.module.js';
export type { ReadinessCheck, ServiceHealthOptions } from './health/service-health.options.js';
export { ServiceMetrics, type SnapshotSample } from './metrics/service-metrics.js';
export { ServiceMetricsModule } from './metrics/service-metrics.module.js';
export { DualStreamMetricsRegistrar, type LibraryMetricsSource } from './metrics/dual-stream-metrics.registrar.js';
export { ServiceKitModule, type ServiceKitOptions } from './service-kit.module.js';
