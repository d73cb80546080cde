/**
 * The scenarios that ship with the project (fixtures/scenarios/NN-name/topology.yaml),
 * bundled as text so "Open an example" works offline, in the desktop app and in
 * the browser alike. Loaded on demand: the editor starts without them.
 */
const files = import.meta.glob<string>('../fixtures/scenarios/*/topology.yaml', { query: '?raw', import: 'default' });

export interface Example {
  /** the scenario's folder, e.g. `03-bridge-lan` */
  id: string;
  /** a readable title: `Bridge LAN` */
  title: string;
  load(): Promise<string>;
}

const title = (id: string) => {
  const words = id.replace(/^\d+-/, '').split('-');
  return words.map((w, i) => (['nat', 'vrf', 'gost', 'lan'].includes(w) ? w.toUpperCase() : i === 0 ? w[0].toUpperCase() + w.slice(1) : w)).join(' ');
};

export const EXAMPLES: Example[] = Object.entries(files)
  .map(([path, load]) => {
    const id = path.split('/').slice(-2, -1)[0];
    return { id, title: title(id), load };
  })
  .sort((a, b) => a.id.localeCompare(b.id));
