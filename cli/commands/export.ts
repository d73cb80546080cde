import type { Command } from 'commander';

/** `netns-studio export`: not built yet (its issue adds it). */
export function registerExport(_program: Command): void {}
