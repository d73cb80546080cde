/**
 * The document's fixed words, without zod: code that only names them (discover,
 * which the CLI runs for every `discover` and must start fast) imports them from
 * here instead of loading the whole schema. ./schema.ts re-exports them.
 *
 * Pure: no node:* imports.
 */
export const API_VERSION = 'netns-studio/v1';
export const KIND = 'Topology';
/** The root namespace of the host is always called this in documents. */
export const HOST_NS = 'host';
