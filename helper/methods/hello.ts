/** `hello`: who the helper is and what this host can do (features probed once, cached). */
import { HelloParams, PROTOCOL_VERSION, type HelloResult } from '../../shared/protocol/messages';
import { kernelFeatures } from '../hello/features';
import { iproute2Version, kernelRelease } from '../hello/versions';
import { defineMethod } from './registry';

export async function helloInfo(): Promise<HelloResult> {
  const [iproute2, features] = await Promise.all([iproute2Version(), kernelFeatures()]);
  const uid = process.getuid?.() ?? -1;
  return { protocol: PROTOCOL_VERSION, iproute2, kernel: kernelRelease(), features, isRoot: uid === 0, uid, pid: process.pid };
}

export const helloMethod = defineMethod({ name: 'hello', params: HelloParams, handler: () => helloInfo() });
