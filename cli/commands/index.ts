import type { Command } from 'commander';
import { registerSchema } from './schema';
import { registerValidate } from './validate';
import { registerExport } from './export';
import { registerDiscover } from './discover';
import { registerWatch } from './watch';
import { registerPlan } from './plan';
import { registerApply } from './apply';
import { registerDestroy } from './destroy';
import { registerServe } from './serve';
import { registerList, registerStatus } from './list';
import { registerWhy } from './why';
import { registerReach } from './reach';
import { registerCapture } from './capture';
import { registerImpair } from './impair';

export function registerCommands(program: Command): void {
  for (const register of [
    registerValidate,
    registerExport,
    registerSchema,
    registerDiscover,
    registerWatch,
    registerPlan,
    registerApply,
    registerDestroy,
    registerList,
    registerStatus,
    registerServe,
    registerWhy,
    registerReach,
    registerCapture,
    registerImpair,
  ]) {
    register(program);
  }
}
