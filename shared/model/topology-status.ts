/**
 * How an applied topology stands on a host: the shape `netns-studio list` and
 * `status` print, the helper's `topologies.*` methods return and the app's list
 * shows (helper/apply/status.ts computes it). Pure.
 */
import type { Step } from './step';

export type TopologyState = 'in-sync' | 'drifted' | 'partly-gone' | 'gone' | 'unknown';

export interface ObjectCounts {
  namespaces: number;
  links: number;
  addresses: number;
  routes: number;
  other: number;
  total: number;
}

export interface TopologyStatus {
  name: string;
  file?: string;
  appliedAt?: string;
  firstAppliedAt?: string;
  state: TopologyState;
  /** steps a fresh plan of the document last applied has (undefined: no document recorded) */
  drift?: number;
  /** recorded objects no longer on the host */
  gone: string[];
  counts: ObjectCounts;
  /** made from the previous version's record (no document: only presence is checked) */
  migratedFrom?: string;
  /** record files that could not be read, kept aside; why the state is unknown */
  problems: string[];
}

/** One line of a topology's history.jsonl. */
export interface TopologyHistoryEntry {
  at: string;
  action: 'apply' | 'destroy' | 'recover' | 'migrate' | 'record-unreadable';
  file?: string;
  steps?: number;
  applied?: number;
  skipped?: number;
  note?: string;
}

export interface TopologyDetail extends TopologyStatus {
  /** the fresh plan's steps (what drifted) */
  steps: Step[];
  document?: unknown;
  history: TopologyHistoryEntry[];
}

export function countObjects(owned: string[]): ObjectCounts {
  const c: ObjectCounts = { namespaces: 0, links: 0, addresses: 0, routes: 0, other: 0, total: owned.length };
  for (const k of owned) {
    const kind = k.slice(0, k.indexOf(':'));
    if (kind === 'netns') c.namespaces++;
    else if (kind === 'link') c.links++;
    else if (kind === 'addr') c.addresses++;
    else if (kind === 'route') c.routes++;
    else c.other++;
  }
  return c;
}

/** One line of `list`: `in sync`, `drifted 3`, `partly gone (2 of 9)`. */
export function describeState(s: TopologyStatus): string {
  if (s.state === 'partly-gone') return `partly gone (${s.gone.length} of ${s.counts.total})`;
  if (s.state === 'drifted') return `drifted ${s.drift}`;
  if (s.state === 'in-sync') return 'in sync';
  return s.state;
}
