/**
 * The one shell string the elevated helper is started with. sudo-prompt accepts
 * nothing but a shell string, so this is the single place where argv becomes one.
 */

/** POSIX single-quoting: the only safe way to put a path into the shell string sudo-prompt runs. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('NUL in argument');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Characters allowed in the elevated command's arguments. sudo-prompt puts our
 * string inside `bash -c "…"` run by another shell, escaping only `"`: inside
 * those double quotes `$`, backticks and `\` would still act. So arguments are
 * limited to plain path characters, then single-quoted.
 */
const SAFE_ARG = /^[A-Za-z0-9 _./:=@%+,-]*$/;

/**
 * The one shell string handed to sudo-prompt (it accepts nothing else): the app's
 * own binary in Node mode running the helper bundle, told where to connect back.
 * Every part is a path we chose, checked and quoted; no input from the renderer reaches it.
 */
export function elevationCommand(argv: string[]): string {
  for (const a of argv) {
    if (!SAFE_ARG.test(a)) throw new Error(`cannot start the helper elevated from a path with special characters: ${JSON.stringify(a)}`);
  }
  return argv.map(shellQuote).join(' ');
}
