/**
 * Name checks shared by rules and by the helper (which re-validates every name it
 * receives). Two layers: what the kernel or the filesystem refuses outright, and
 * what we refuse on top because names travel into argv, file paths under
 * /run/netns and /etc/netns, and exported shell scripts, where `a;rm -rf /`,
 * `$(x)`, quotes, a newline or a leading `-` would do harm or confuse.
 */

import { hasControlChars } from './control-chars';

/** Characters allowed in every name we create: letters, digits, `_`, `.`, `-`. */
export const SAFE_NAME = /^[A-Za-z0-9_.-]+$/;
export const IFNAMSIZ_MAX = 15;
export const NETNS_NAME_MAX = 64;
export const FORWARDER_NAME_MAX = 64;

export type NameProblem = { code: string; message: string } | null;

const byteLength = (s: string) => new TextEncoder().encode(s).length;

function unsafe(what: string, s: string): string {
  const bad = [...new Set([...s].filter((ch) => !/[A-Za-z0-9_.-]/.test(ch)))].map((ch) => JSON.stringify(ch)).join(' ');
  return `${what} ${JSON.stringify(s)} contains ${bad}: only letters, digits, "_", "." and "-" are allowed (names end up in commands, file paths and shell scripts)`;
}

/** Interface names: the kernel's dev_valid_name() plus our safe charset. */
export function checkInterfaceName(name: string): NameProblem {
  const what = 'interface name';
  if (name.length === 0) return { code: 'ifname-invalid', message: 'interface name is empty' };
  if (name === '.' || name === '..') return { code: 'ifname-invalid', message: `interface name ${JSON.stringify(name)} is refused by the kernel` };
  if (/[/:\s]/.test(name) || hasControlChars(name)) {
    return {
      code: 'ifname-invalid',
      message: `${what} ${JSON.stringify(name)} contains "/", ":", whitespace or a control character, which the kernel refuses`,
    };
  }
  const bytes = byteLength(name);
  if (bytes > IFNAMSIZ_MAX)
    return { code: 'ifname-too-long', message: `${what} ${JSON.stringify(name)} is ${bytes} bytes; the kernel allows at most ${IFNAMSIZ_MAX} (IFNAMSIZ)` };
  if (!SAFE_NAME.test(name)) return { code: 'ifname-unsafe', message: unsafe(what, name) };
  if (name.startsWith('-')) return { code: 'ifname-unsafe', message: `${what} ${JSON.stringify(name)} starts with "-" and would be read as an option` };
  return null;
}

/** Namespace names: a file under /run/netns, an argument of `ip netns`, a path under /etc/netns. */
export function checkNamespaceName(name: string): NameProblem {
  const what = 'namespace name';
  if (name.length === 0) return { code: 'netns-name-invalid', message: 'namespace name is empty' };
  if (name === '.' || name === '..')
    return { code: 'netns-name-invalid', message: `namespace name ${JSON.stringify(name)} is not a file name /run/netns can hold` };
  if (name.includes('/') || hasControlChars(name) || /\s/.test(name)) {
    return {
      code: 'netns-name-invalid',
      message: `${what} ${JSON.stringify(name)} contains "/", whitespace or a control character; it must be a single file name under /run/netns`,
    };
  }
  if (byteLength(name) > NETNS_NAME_MAX)
    return { code: 'netns-name-too-long', message: `${what} is ${byteLength(name)} bytes; at most ${NETNS_NAME_MAX} are allowed` };
  if (!SAFE_NAME.test(name)) return { code: 'netns-name-unsafe', message: unsafe(what, name) };
  if (name.startsWith('-')) return { code: 'netns-name-unsafe', message: `${what} ${JSON.stringify(name)} starts with "-" and would be read as an option` };
  return null;
}

/** Forwarder names: process titles, GOST service names, ownership keys. */
export function checkForwarderName(name: string): NameProblem {
  if (name.length === 0 || name.length > FORWARDER_NAME_MAX || !SAFE_NAME.test(name) || name.startsWith('-')) {
    return {
      code: 'forwarder-name-invalid',
      message: `forwarder name ${JSON.stringify(name)} must be 1-${FORWARDER_NAME_MAX} letters, digits, "_", "." or "-", not starting with "-"`,
    };
  }
  return null;
}
