/**
 * Object keys this product created, from the ownership record helper/apply keeps
 * (helper/ownership/store.ts). A missing or unreadable record means nothing is ours.
 */
import { stateDirOf } from '../apply/journal';
import { loadOwnership } from '../ownership/store';

export function ownedKeys(stateDir?: string): string[] {
  try {
    return [...loadOwnership(stateDirOf(stateDir)).owned];
  } catch {
    return [];
  }
}
