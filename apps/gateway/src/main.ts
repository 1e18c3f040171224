import 'reflect-metadata';
import { bootstrapService } from '@app/service-kit';
import { GatewayModule } from './gateway.module.js';

await bootstrapService(GatewayModule, { name: 'gateway', port: 3001 });
