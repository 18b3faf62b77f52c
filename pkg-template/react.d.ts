/**
 * entra-connect/react: the `useEntraConnect` hook. React (18 or 19) is an optional peer
 * dependency of entra-connect, needed only by apps that import this entry.
 *
 * @example
 * ```tsx
 * import { useEntraConnect } from 'entra-connect/react';
 *
 * function ConnectButton() {
 *   const { open, isOpen, error, connection } = useEntraConnect({
 *     endpoint: '/api/entra/connections',
 *     sessionToken: getSessionToken,
 *   });
 *   return <button onClick={open} disabled={isOpen}>Connect Microsoft Entra ID</button>;
 * }
 * ```
 * @packageDocumentation
 */

import type { ConnectError, ConnectOptions, Connection } from './index.js';

/** What `useEntraConnect` returns. */
export interface EntraConnectState {
  /**
   * Opens the modal with the options of the latest render. Resolves with the connection, or
   * with `null` when the modal closed without one (then `error` says why). While a modal is
   * open it returns the same Promise. Never rejects.
   */
  readonly open: () => Promise<Connection | null>;
  /** True from `open()` until its Promise settles. */
  readonly isOpen: boolean;
  /** Loads the WebAssembly module ahead of a click (e.g. on hover or focus). */
  readonly preload: () => Promise<void>;
  /** Why the last `open()` ended without a connection (`code` `cancelled` when the admin closed it); `null` after a success or while open. */
  readonly error: ConnectError | null;
  /** The connection of the last successful `open()`, else `null`. */
  readonly connection: Connection | null;
}

/**
 * Opens the entra-connect modal from a React component. Unmounting the component closes an
 * open modal; StrictMode's double effects open nothing.
 * `options.signal`, when given, also closes the modal.
 */
export function useEntraConnect(options: ConnectOptions): EntraConnectState;
