import 'reflect-metadata';
import { bootstrapService } from '@app/service-kit';
import { ConsumerModule } from './consumer.module.js';

await bootstrapService(ConsumerModule, { name: 'consumer', port: 3002 });
