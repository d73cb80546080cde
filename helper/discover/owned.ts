/**
 * Object keys this product created, from the per-topology ownership records
 * helper/apply keeps (helper/ownership/topologies.ts), all topologies together.
 * A missing or unreadable record means nothing is ours.
 */
import { stateDirOf } from '../apply/journal-files';
import { listRecords } from '../ownership/topologies';

export function ownedKeys(stateDir?: string): string[] {
  try {
    return [...new Set(listRecords(stateDirOf(stateDir)).flatMap((r) => r.ownership.owned))];
  } catch {
    return [];
  }
}
