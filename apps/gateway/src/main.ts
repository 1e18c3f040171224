import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { bootstrapService } from '@app/service-kit';
import { GatewayModule } from './gateway.module.js';

@Module({ imports: [GatewayModule.forRoot()] })
class GatewayAppModule {}

await bootstrapService(GatewayAppModule, { name: 'gateway', port: 3001 });
