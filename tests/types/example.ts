// A typed host app: what a TypeScript user of entra-connect writes, and the misuse the
// declarations must reject. Checked with `tsc --strict --noEmit` by `cargo xtask test`;
// every `@ts-expect-error` line must really be an error, or the check fails.

import {
  connect,
  validate,
  preload,
  ConnectError,
  type ConnectEvent,
  type ConnectOptions,
  type Connection,
  type ValidationResult,
} from 'entra-connect';
import { useEntraConnect, type EntraConnectState } from 'entra-connect/react';

async function fetchSessionToken(): Promise<string> {
  const response = await fetch('/api/sessions', { method: 'POST' });
  const body: { token: string } = await response.json();
  return body.token;
}

function track(event: ConnectEvent): void {
  switch (event.type) {
    case 'field_error':
      console.log(event.field, event.code);
      break;
    case 'retry':
      console.log(event.attempt, event.delay.toFixed(0));
      break;
    case 'success':
      console.log(event.connectionId);
      break;
    case 'error':
      console.log(event.code, event.status ?? 0, event.field ?? '');
      break;
    case 'open':
    case 'submit':
    case 'close':
      console.log(event.type);
      break;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

export async function connectFromSettings(button: HTMLButtonElement, panel: HTMLElement): Promise<Connection | null> {
  const controller = new AbortController();
  button.addEventListener('mouseenter', () => void preload(), { once: true });
  const options: ConnectOptions = {
    endpoint: '/api/entra/connections',
    sessionToken: fetchSessionToken,
    cloud: 'usgov',
    scope: 'https://graph.microsoft.us/.default',
    requiredPermissions: ['User.Read.All', 'Mail.Read'],
    prefill: { tenantId: 'contoso.onmicrosoft.com' },
    locked: ['tenantId'],
    appName: 'Acme CRM',
    locale: 'de',
    messages: { title: 'Verbinden' },
    theme: 'auto',
    appearance: { accent: '#0b5cad', radius: '8px', fontFamily: 'Inter, sans-serif' },
    container: panel,
    signal: controller.signal,
    timeoutMs: 30000,
    onEvent: track,
  };
  try {
    const connection = await connect(options);
    const granted: readonly string[] = connection.grantedPermissions;
    console.log(connection.connectionId, connection.cloud, granted.length, connection.missingPermissions.join());
    return connection;
  } catch (error) {
    if (error instanceof ConnectError) {
      switch (error.code) {
        case 'cancelled':
        case 'aborted':
          return null;
        case 'server':
          console.log(error.status, error.field, error.retryAfter, error.details);
          break;
        default:
          console.log(error.code, error.message);
      }
    }
    throw error;
  }
}

export async function nango(): Promise<string> {
  const connection = await connect({
    protocol: 'nango',
    host: 'https://api.nango.dev',
    providerConfigKey: 'microsoft-oauth2-cc',
    sessionToken: 'nango-connect-session-token',
  });
  return connection.connectionId;
}

export async function headless(): Promise<boolean> {
  await preload();
  const result: ValidationResult = validate({ tenantId: 'common', clientSecret: 'x' });
  if (result.fields.tenantId.error === 'tenant_common') return false;
  if (result.fields.clientSecret.warning === 'client_secret_short') return false;
  return result.valid && result.fields.scope.normalized.endsWith('/.default');
}

export function hookState(): EntraConnectState {
  const state = useEntraConnect({ endpoint: '/api/entra/connections', sessionToken: 'token' });
  const opened: Promise<Connection | null> = state.open();
  void opened;
  if (state.error?.code === 'already_open') console.log(state.isOpen, state.connection?.tenantId);
  return state;
}

// ---- misuse the declarations reject -------------------------------------------------

export async function misuse(connection: Connection, result: ValidationResult, error: ConnectError): Promise<void> {
  // @ts-expect-error an unknown option
  await connect({ endpoint: '/api/entra/connections', sessionToken: 't', colour: 'red' });

  // @ts-expect-error a cloud that does not exist
  await connect({ endpoint: '/api/entra/connections', sessionToken: 't', cloud: 'azure' });

  // @ts-expect-error the endpoint is required
  await connect({ sessionToken: 't' });

  // @ts-expect-error the session token is required
  await connect({ endpoint: '/api/entra/connections' });

  // @ts-expect-error a session token is a string or a function returning one (or a Promise of one)
  await connect({ endpoint: '/api/entra/connections', sessionToken: 42 });

  // @ts-expect-error a token provider must produce a string
  await connect({ endpoint: '/api/entra/connections', sessionToken: async () => 42 });

  // @ts-expect-error Nango needs its host and providerConfigKey
  await connect({ protocol: 'nango', sessionToken: 't' });

  // @ts-expect-error the secret cannot be prefilled or locked
  await connect({ endpoint: '/e', sessionToken: 't', locked: ['clientSecret'] });

  // @ts-expect-error an unknown theme
  await connect({ endpoint: '/e', sessionToken: 't', theme: 'blue' });

  // @ts-expect-error the result is read-only
  connection.tenantId = 'other';

  // @ts-expect-error not a ConnectError code
  if (error.code === 'timed_out') return;

  // @ts-expect-error a client ID code is not a tenant code
  if (result.fields.tenantId.error === 'client_id_invalid') return;

  connect({
    endpoint: '/e',
    sessionToken: 't',
    onEvent: (event) => {
      // @ts-expect-error only retry events carry a delay
      console.log(event.delay);
    },
  });

  // @ts-expect-error validate() is synchronous: it returns no Promise
  await validate({}).then(() => undefined);
}
