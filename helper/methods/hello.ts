/** `hello`: who the helper is and what this host can do (../hello/info.ts). */
import { HelloParams } from '../../shared/protocol/messages';
import { helloInfo } from '../hello/info';
import { defineMethod } from './registry';

export { helloInfo };

export const helloMethod = defineMethod({ name: 'hello', params: HelloParams, handler: () => helloInfo() });
