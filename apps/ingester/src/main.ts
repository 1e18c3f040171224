import 'reflect-metadata';
import { bootstrapService } from '@app/service-kit';
import { IngesterModule } from './ingester.module.js';

await bootstrapService(IngesterModule, { name: 'ingester', port: 3000 });
