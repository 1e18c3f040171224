import 'reflect-metadata';
import { bootstrapService } from '@app/service-kit';
import { GatewayModule } from './gateway.module.js';

await bootstrapService({ name: 'gateway', port: 3001, module: () => GatewayModule.forRoot() });
