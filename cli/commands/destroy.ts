import type { Command } from 'commander';

/** `netns-studio destroy`: not built yet (its issue adds it). */
export function registerDestroy(_program: Command): void {}
