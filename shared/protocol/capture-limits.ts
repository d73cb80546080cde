/**
 * Bounds of one capture (helper/capture/run.ts), in a module of their own without
 * zod: the CLI's `capture --help` states them and must not load the schemas to do so.
 */
export const CAPTURE_LIMITS = {
  maxCount: 100_000,
  defaultCount: 1000,
  maxDurationMs: 3_600_000,
  defaultDurationMs: 60_000,
  maxBytes: 64 * 1024 * 1024,
  defaultBytes: 16 * 1024 * 1024,
  perConnection: 4,
  snaplen: 65_535,
} as const;
