/**
 * The one loose JSON type of the discover readers: what `ip -j -d -s` prints (./read.ts), what ./netlink.ts
 * decodes into the same shapes, and what the container runtimes' APIs and state files hold (./containers.ts).
 *
 * Deliberately untyped: these are foreign formats that vary by iproute2, kernel and runtime version, and
 * ./parse.ts and ./containers.ts read them defensively field by field (`?.`, `?? default`, String()/Number()).
 * A recursive JSON value type would need a narrowing step at every one of those reads; that is the remaining
 * piece of issue 10 and this is its single place.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- foreign JSON read defensively (see above); the only `any` of helper/discover
export type Json = any;
