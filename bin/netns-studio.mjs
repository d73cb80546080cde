#!/usr/bin/env node
// The CLI entry: TypeScript sources run through tsx, so `npx netns-studio` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
