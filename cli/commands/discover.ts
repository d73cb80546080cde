import type { Command } from 'commander';

/** `netns-studio discover`: not built yet (its issue adds it). */
export function registerDiscover(_program: Command): void {}
