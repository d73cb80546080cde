import type { Command } from 'commander';

/** `netns-studio validate`: not built yet (its issue adds it). */
export function registerValidate(_program: Command): void {}
