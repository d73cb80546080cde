import type { Command } from 'commander';

/** `netns-studio plan`: not built yet (its issue adds it). */
export function registerPlan(_program: Command): void {}
