import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { DualStreamModuleOptions } from './interfaces/dual-stream-options.interface.js';

export const { ConfigurableModuleClass: ConfigurableDualStreamModule, MODULE_OPTIONS_TOKEN: DUAL_STREAM_OPTIONS } =
  new ConfigurableModuleBuilder<DualStreamModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
    .build();
