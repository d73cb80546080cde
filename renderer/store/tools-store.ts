/**
 * The link tools the person opened from a port's or a namespace's menu: the menu
 * itself (where, for which port or namespace), the capture panel's target and the open terminals. The
 * panels own their sessions with the backend; this only says what is shown.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';

export interface PortRef {
  ns: string;
  ifname: string;
}

/** Whose menu is open: a port's (capture, terminal, impairment) or a namespace's (`ifname` absent: terminal). */
export interface MenuTarget {
  ns: string;
  ifname?: string;
}

interface ToolsState {
  menu?: MenuTarget & { x: number; y: number };
  capture?: PortRef;
  /** open terminals, by a key of their own (one per click of "Open terminal") */
  terminals: { key: number; ns: string }[];
  impair?: PortRef;
}

export const toolsStore = createStore<ToolsState>(() => ({ terminals: [] }));
export const useTools = <T>(pick: (s: ToolsState) => T): T => useStore(toolsStore, pick);

let nextKey = 1;
export const openPortMenu = (target: MenuTarget, x: number, y: number) => toolsStore.setState({ menu: { ...target, x, y } });
export const closePortMenu = () => toolsStore.setState({ menu: undefined });
export const openCapture = (port: PortRef) => toolsStore.setState({ capture: port, menu: undefined });
export const closeCapture = () => toolsStore.setState({ capture: undefined });
export const openImpair = (port: PortRef) => toolsStore.setState({ impair: port, menu: undefined });
export const closeImpair = () => toolsStore.setState({ impair: undefined });
export const openTerminalFor = (ns: string) => toolsStore.setState((s) => ({ terminals: [...s.terminals, { key: nextKey++, ns }], menu: undefined }));
export const closeTerminal = (key: number) => toolsStore.setState((s) => ({ terminals: s.terminals.filter((t) => t.key !== key) }));
