// The demo page: a SaaS settings page that connects a Microsoft Entra ID tenant through the
// package's public entry, exactly as an app would import it. No inline scripts or styles and
// no HTML strings (the server's CSP requires Trusted Types for script sinks).

import { connect, preload, ConnectError } from '/pkg/index.js';

const connectButton = document.getElementById('connect');
const status = document.getElementById('status');
const events = document.getElementById('events');

/** A fresh session token from the backend, as a signed-in user's page would get one. */
async function sessionToken() {
  const response = await fetch('/api/sessions', { method: 'POST' });
  if (!response.ok) throw new Error(`POST /api/sessions answered ${response.status}`);
  const body = await response.json();
  return body.token;
}

function showStatus(text, kind) {
  status.textContent = text;
  status.dataset.kind = kind;
}

function logEvent(event) {
  const item = document.createElement('li');
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString();
  const code = document.createElement('code');
  code.textContent = JSON.stringify(event);
  item.append(time, ' ', code);
  events.prepend(item);
  while (events.children.length > 20) events.lastElementChild.remove();
}

// Warm the WebAssembly module before the click.
for (const type of ['pointerenter', 'focus']) {
  connectButton.addEventListener(type, () => preload().catch(() => {}), { once: true });
}

const playground = document.getElementById('playground');
const inlineContainer = document.getElementById('inline-container');
const snippet = document.getElementById('snippet');

/** The options chosen in the playground, without the functions and elements. */
function chosenOptions() {
  const form = new FormData(playground);
  const value = (name) => String(form.get(name) ?? '').trim();
  const options = { endpoint: '/api/entra/connections' };
  if (value('locale')) options.locale = value('locale');
  if (value('theme') !== 'auto') options.theme = value('theme');
  if (value('cloud') !== 'global') options.cloud = value('cloud');
  if (value('appName')) options.appName = value('appName');
  const appearance = {};
  if (value('accent') && value('accent') !== '#0b5cad') appearance.accent = value('accent');
  if (value('radius')) appearance.radius = value('radius');
  if (Object.keys(appearance).length) options.appearance = appearance;
  const permissions = value('requiredPermissions')
    .split(',')
    .map((permission) => permission.trim())
    .filter(Boolean);
  if (permissions.length) options.requiredPermissions = permissions;
  if (value('prefillTenant')) {
    options.prefill = { tenantId: value('prefillTenant') };
    if (form.get('lockTenant')) options.locked = ['tenantId'];
  }
  return { options, inline: Boolean(form.get('inline')) };
}

function showSnippet() {
  const { options, inline } = chosenOptions();
  const json = JSON.stringify(options, null, 2).replace(/"([A-Za-z]+)":/g, '$1:').replace(/\n}$/, '');
  snippet.textContent =
    `const connection = await connect(${json},\n  sessionToken: () => fetchSessionToken(),\n` +
    (inline ? '  container: document.getElementById(\'inline-container\'),\n' : '') +
    '  onEvent: (event) => analytics.track(event.type, event),\n});';
}

playground.addEventListener('input', showSnippet);
playground.addEventListener('change', showSnippet);
playground.addEventListener('submit', (event) => event.preventDefault());
showSnippet();

connectButton.addEventListener('click', async () => {
  showStatus('Waiting for the administrator…', 'pending');
  const { options, inline } = chosenOptions();
  inlineContainer.hidden = !inline;
  try {
    const connection = await connect({
      ...options,
      sessionToken,
      container: inline ? inlineContainer : undefined,
      onEvent: logEvent,
    });
    const missing = connection.missingPermissions.length
      ? ` Missing permissions: ${connection.missingPermissions.join(', ')}.`
      : '';
    showStatus(`Connected tenant ${connection.tenantId} (connection ${connection.connectionId}).${missing}`, 'success');
    await listConnections();
  } catch (error) {
    inlineContainer.hidden = true;
    if (error instanceof ConnectError && error.code === 'cancelled') {
      showStatus('Closed without connecting.', 'neutral');
    } else if (error instanceof ConnectError) {
      showStatus(`Not connected (${error.code}): ${error.message}`, 'error');
    } else {
      showStatus(`Not connected: ${error && error.message ? error.message : String(error)}`, 'error');
    }
  }
});

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.append(td);
}

function actionButton(text, accessibleName, onClick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = text;
  button.setAttribute('aria-label', accessibleName);
  button.addEventListener('click', onClick);
  return button;
}

// The lifecycle calls of SPEC §9.2, with the page's session.
async function lifecycleCall(connection, method, suffix = '') {
  const id = encodeURIComponent(connection.connection_id);
  const response = await fetch(`/api/entra/connections/${id}${suffix}`, {
    method,
    headers: { authorization: `Bearer ${await sessionToken()}` },
  });
  const answer = response.status === 204 ? null : await response.json().catch(() => null);
  return { response, answer };
}

// Asks Microsoft for a fresh token with the stored credential now.
async function checkConnection(connection) {
  showStatus(`Checking the connection to ${connection.tenant_id}…`, 'neutral');
  const { response, answer } = await lifecycleCall(connection, 'POST', '/verify');
  if (!response.ok) {
    const message = answer && answer.error ? answer.error.message : `HTTP ${response.status}`;
    showStatus(`Could not check the connection to ${connection.tenant_id}: ${message}`, 'error');
  } else if (answer.status === 'active') {
    showStatus(`The connection to ${connection.tenant_id} works (checked just now).`, 'success');
  } else {
    showStatus(`The connection to ${connection.tenant_id} needs attention: ${answer.problem.message}`, 'error');
  }
  await listConnections();
}

async function disconnect(connection) {
  if (!window.confirm(`Disconnect ${connection.tenant_id}? Its stored credential is destroyed.`)) return;
  const { response, answer } = await lifecycleCall(connection, 'DELETE');
  if (response.status === 204) {
    showStatus(`Disconnected ${connection.tenant_id}; its stored credential is destroyed.`, 'neutral');
  } else {
    const message = answer && answer.error ? answer.error.message : `HTTP ${response.status}`;
    showStatus(`Could not disconnect ${connection.tenant_id}: ${message}`, 'error');
  }
  await listConnections();
}

async function listConnections() {
  const table = document.getElementById('connections');
  const empty = document.getElementById('connections-empty');
  // The list is the session's account's (the demo page's sessions are all the account `demo`).
  const response = await fetch('/api/entra/connections', {
    headers: { authorization: `Bearer ${await sessionToken()}` },
  });
  if (!response.ok) {
    empty.textContent = `Could not list connections (HTTP ${response.status}).`;
    return;
  }
  const { connections } = await response.json();
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const connection of connections) {
    const row = document.createElement('tr');
    cell(row, connection.tenant_id);
    cell(row, connection.client_id);
    cell(row, connection.cloud);
    cell(row, connection.granted_permissions.join(', ') || '—');
    cell(row, new Date(connection.created_at).toLocaleString());
    cell(
      row,
      connection.status === 'needs_attention'
        ? `Needs attention: ${connection.problem ? connection.problem.message : 'check it again'}`
        : 'Active',
    );
    const actions = document.createElement('td');
    actions.className = 'actions';
    const label = `${connection.tenant_id}, client ${connection.client_id}`;
    actions.append(
      actionButton('Check', `Check the connection to ${label} now`, () => checkConnection(connection)),
      actionButton('Disconnect', `Disconnect ${label}`, () => disconnect(connection)),
    );
    row.append(actions);
    body.append(row);
  }
  table.hidden = connections.length === 0;
  empty.hidden = connections.length > 0;
  empty.textContent = 'No tenant is connected yet.';
}

async function showSamples() {
  const response = await fetch('/api/config');
  if (!response.ok) return;
  const config = await response.json();
  if (!config.entra_emulator || !config.sample) return;
  const sample = config.sample;
  document.getElementById('sample-tenant').textContent = sample.tenant_id;
  document.getElementById('sample-client').textContent = sample.client_id;
  document.getElementById('sample-secret').textContent = sample.client_secret;
  const list = document.getElementById('sample-apps');
  for (const app of sample.apps ?? []) {
    const item = document.createElement('li');
    item.append(`${app.label}: client ID `);
    const client = document.createElement('code');
    client.textContent = app.client_id;
    const secret = document.createElement('code');
    secret.textContent = app.client_secret;
    item.append(client, ', secret ', secret);
    list.append(item);
  }
  for (const [name, tenant] of Object.entries(sample.special_tenants ?? {})) {
    const item = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = tenant;
    item.append(`Tenant ${name}: `, code);
    list.append(item);
  }
  document.getElementById('emulator').hidden = false;
}

document.getElementById('refresh').addEventListener('click', () => listConnections());
showSamples();
listConnections();
