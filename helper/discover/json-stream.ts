/**
 * `ip -j -batch` prints one JSON value per command, back to back (arrays, with or
 * without newlines between). Split such text into the values it holds.
 */
export function splitJsonValues(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inStr) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inStr = false;
      continue;
    }
    if (c === 34) inStr = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (depth++ === 0) start = i;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return out;
}
