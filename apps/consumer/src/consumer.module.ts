import { Module } from '@nestjs/common';
import { HealthController } from '@app/service-kit';

@Module({ controllers: [HealthController] })
export class ConsumerModule {}
