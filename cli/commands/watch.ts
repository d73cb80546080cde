import type { Command } from 'commander';

/** `netns-studio watch`: not built yet (its issue adds it). */
export function registerWatch(_program: Command): void {}
