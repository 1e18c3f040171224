// Moved to service-kit (one implementation for the gateway and the consumer); this path stays for importers.
export { JwtTokenVerifier, signGatewayToken } from '@app/service-kit';
