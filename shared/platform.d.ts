/**
 * The few globals shared/ relies on: web standards that browsers and Node both have.
 * shared/tsconfig.json type-checks without DOM and Node types, so anything else a
 * pure module reaches for (fs, window, Buffer, process) fails to compile.
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare function structuredClone<T>(value: T): T;
