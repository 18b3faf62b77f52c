// entra-connect/react: a React hook around connect(). React is an optional peer dependency:
// only apps that import this entry need it.

import { useCallback, useEffect, useRef, useState } from 'react';
import { connect, preload } from './index.js';

/**
 * Opens the entra-connect modal from a React component.
 *
 * - `open()` starts `connect(options)` with the options of the latest render and resolves
 *   with the connection, or with `null` when the modal closed without one (`error` says why).
 *   While one is pending, `open()` returns the same Promise (a double click opens one modal).
 * - Unmounting the component while the modal is open closes it (its AbortSignal is aborted).
 * - Safe under StrictMode: nothing is opened or loaded by rendering or by effects.
 *
 * @param {import('./index.js').ConnectOptions} options
 * @returns {import('./react.js').EntraConnectState}
 */
export function useEntraConnect(options) {
  const latestOptions = useRef(options);
  const pending = useRef(/** @type {null | { promise: Promise<unknown>, controller: AbortController }} */ (null));
  const mounted = useRef(false);
  const [isOpen, setIsOpen] = useState(false);
  const [error, setError] = useState(null);
  const [connection, setConnection] = useState(null);

  useEffect(() => {
    latestOptions.current = options;
  });

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      const current = pending.current;
      pending.current = null;
      if (current) current.controller.abort();
    };
  }, []);

  const open = useCallback(() => {
    if (pending.current) return pending.current.promise;
    const options = latestOptions.current;
    const controller = new AbortController();
    const hostSignal = options.signal;
    const forward = () => controller.abort(hostSignal && hostSignal.reason);
    if (hostSignal) {
      if (hostSignal.aborted) forward();
      else hostSignal.addEventListener('abort', forward, { once: true });
    }
    setIsOpen(true);
    setError(null);
    const promise = connect({ ...options, signal: controller.signal }).then(
      (result) => {
        settle();
        if (mounted.current) setConnection(result);
        return result;
      },
      (failure) => {
        settle();
        if (mounted.current) setError(failure);
        return null;
      },
    );
    function settle() {
      if (hostSignal) hostSignal.removeEventListener('abort', forward);
      if (pending.current && pending.current.controller === controller) pending.current = null;
      if (mounted.current) setIsOpen(false);
    }
    pending.current = { promise, controller };
    return promise;
  }, []);

  return { open, isOpen, preload, error, connection };
}
