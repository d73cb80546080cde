import type { Command } from 'commander';

/** `netns-studio serve`: not built yet (its issue adds it). */
export function registerServe(_program: Command): void {}
