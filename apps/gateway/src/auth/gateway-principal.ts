// Moved to service-kit (one implementation for the gateway and the consumer); this path stays for importers.
export { type GatewayPrincipal, canSubscribe, canSubscribePattern } from '@app/service-kit';
