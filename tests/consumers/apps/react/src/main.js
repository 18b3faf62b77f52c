// A React 19 app using the useEntraConnect hook under StrictMode, with a toggle that unmounts
// the component while the modal may be open.
import { StrictMode, createElement as h, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useEntraConnect } from 'entra-connect/react';

function ConnectPanel() {
  const { open, isOpen, preload, error, connection } = useEntraConnect({
    endpoint: '/api/entra/connections',
    sessionToken: async () => 'react-consumer-session-token',
    appName: 'React App',
  });
  return h(
    'section',
    null,
    h('button', { id: 'connect', type: 'button', onClick: open, onMouseEnter: preload }, 'Connect Microsoft Entra ID'),
    h('output', { id: 'state' }, isOpen ? 'open' : 'closed'),
    h('output', { id: 'error' }, error ? error.code : ''),
    h('output', { id: 'connection' }, connection ? connection.connectionId : ''),
  );
}

function App() {
  const [shown, setShown] = useState(true);
  return h(
    'main',
    null,
    h('button', { id: 'toggle', type: 'button', onClick: () => setShown((value) => !value) }, shown ? 'Unmount' : 'Mount'),
    shown ? h(ConnectPanel) : null,
  );
}

createRoot(document.getElementById('root')).render(h(StrictMode, null, h(App)));
