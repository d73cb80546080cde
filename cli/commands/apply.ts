import type { Command } from 'commander';

/** `netns-studio apply`: not built yet (its issue adds it). */
export function registerApply(_program: Command): void {}
