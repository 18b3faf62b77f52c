/**
 * entra-connect: a modal that lets a customer's administrator connect their Microsoft Entra ID
 * tenant to your app with app-only access (the OAuth 2.0 client credentials grant).
 *
 * @example
 * ```ts
 * import { connect, ConnectError } from 'entra-connect';
 *
 * try {
 *   const connection = await connect({
 *     endpoint: '/api/entra/connections',
 *     sessionToken: () => fetch('/api/sessions', { method: 'POST' }).then((r) => r.json()).then((b) => b.token),
 *   });
 *   console.log('connected', connection.tenantId);
 * } catch (error) {
 *   if (error instanceof ConnectError && error.code !== 'cancelled') console.error(error.code, error.message);
 * }
 * ```
 * @packageDocumentation
 */

/**
 * A Microsoft cloud. It picks the identity platform's authority and the default Microsoft Graph scope:
 *
 * | cloud       | authority host            | Graph                            |
 * |-------------|---------------------------|----------------------------------|
 * | `global`    | login.microsoftonline.com | graph.microsoft.com              |
 * | `usgov`     | login.microsoftonline.us  | graph.microsoft.us               |
 * | `usgov-dod` | login.microsoftonline.us  | dod-graph.microsoft.us           |
 * | `china`     | login.chinacloudapi.cn    | microsoftgraph.chinacloudapi.cn  |
 */
export type Cloud = 'global' | 'usgov' | 'usgov-dod' | 'china';

/** A field of the connection form, by its JavaScript name. */
export type FieldName = 'tenantId' | 'clientId' | 'clientSecret' | 'scope' | 'cloud';

/** A field whose value the host may prefill (and lock). */
export type PrefillField = 'tenantId' | 'clientId' | 'scope';

/**
 * A language of the modal. The built-in catalogs are English, German, French, Spanish,
 * Japanese, Arabic and Hebrew (right-to-left), Portuguese (Brazil), Italian, Dutch, Polish,
 * Swedish, Turkish, Korean, and Chinese in simplified and traditional characters. Any BCP 47
 * tag is accepted: `de-CH` uses `de`, any `pt` uses `pt-BR`, `zh-TW`, `zh-HK`, `zh-MO` and
 * `zh-Hant-*` use `zh-Hant`, other `zh` uses `zh-Hans`, `iw` uses `he`; a language without a
 * catalog (`nb`, `no`, ...) falls back to English. Documentation links open Microsoft Learn in
 * the same language.
 */
export type Locale =
  | 'en' | 'de' | 'fr' | 'es' | 'ja' | 'ar' | 'pt-BR' | 'it' | 'nl' | 'pl' | 'sv' | 'tr'
  | 'ko' | 'zh-Hans' | 'zh-Hant' | 'he' | (string & {});

/** Why `connect()` rejected. */
export type ConnectErrorCode =
  /** The administrator closed the modal and no submission had failed. */
  | 'cancelled'
  /** An option is missing or malformed (the message names it); nothing was drawn. */
  | 'invalid_options'
  /** The backend rejected a string `sessionToken`, which cannot be refreshed. Mint a new one. */
  | 'session_expired'
  /** The last submission could not reach the backend (offline, DNS, CORS, connection reset). */
  | 'network'
  /** `timeoutMs` elapsed before the backend answered the last submission. */
  | 'timeout'
  /** The `signal` passed to `connect()` was aborted; the modal closed. */
  | 'aborted'
  /** The backend answered the last submission with an error (see `status`, `field`, `details`). */
  | 'server'
  /** Another `connect()` modal is already open; the open one is left untouched. */
  | 'already_open';

/** Rule codes about the Directory (tenant) ID. */
export type TenantRuleCode =
  /** The field is empty. */
  | 'tenant_required'
  /** The input is longer than 2048 characters. */
  | 'tenant_too_long'
  /** `common` is an endpoint alias, not a tenant: client credentials need the organisation's own tenant. */
  | 'tenant_common'
  /** `organizations` is an endpoint alias, not a tenant. */
  | 'tenant_organizations'
  /** `consumers` is the personal Microsoft account alias, not a tenant. */
  | 'tenant_consumers'
  /** The nil GUID `00000000-0000-0000-0000-000000000000`. */
  | 'tenant_nil_guid'
  /** `9188040d-6c67-4c5b-b112-36a304b66dad`, the Microsoft consumer (personal account) tenant. */
  | 'tenant_consumer_guid'
  /** Full-width digits or letters (from an input method) are not a GUID. */
  | 'tenant_fullwidth'
  /** A non-ASCII domain: its punycode `xn--` form is required. */
  | 'tenant_not_ascii'
  /** A pasted URL that does not contain a tenant. */
  | 'tenant_url_without_tenant'
  /** Neither a GUID nor a valid domain name. */
  | 'tenant_invalid';

/** Rule codes about the Application (client) ID. */
export type ClientIdRuleCode =
  /** The field is empty. */
  | 'client_id_required'
  /** The input is longer than 2048 characters. */
  | 'client_id_too_long'
  /** Full-width characters are not a GUID. */
  | 'client_id_fullwidth'
  /** Not a GUID. */
  | 'client_id_invalid'
  /** The nil GUID. */
  | 'client_id_nil_guid'
  /** Warning: equals the tenant GUID (the Directory ID pasted twice). */
  | 'client_id_same_as_tenant';

/** Rule codes about the client secret. */
export type ClientSecretRuleCode =
  /** The field is empty. */
  | 'client_secret_required'
  /** The input is longer than 2048 characters. */
  | 'client_secret_too_long'
  /** A GUID: that is the secret's Secret ID, not its Value (Microsoft answers AADSTS7000215). */
  | 'client_secret_is_secret_id'
  /** Warning: leading or trailing white space was trimmed. */
  | 'client_secret_whitespace'
  /** Warning: shorter than 16 characters (current secrets have 40). */
  | 'client_secret_short';

/** Rule codes about the scope. */
export type ScopeRuleCode =
  /** The input is longer than 2048 characters. */
  | 'scope_too_long'
  /** A named scope such as `User.Read`: client credentials only take `{resource}/.default` (AADSTS1002012). */
  | 'scope_named'
  /** `.default` combined with other scopes, or two resources (AADSTS70011). */
  | 'scope_multiple'
  /** Not of the form `{resource}/.default`. */
  | 'scope_invalid'
  /** Warning: a Microsoft Graph resource of another cloud than the chosen one. */
  | 'scope_cloud_mismatch';

/** Rule codes about the cloud. */
export type CloudRuleCode =
  /** Not one of `global`, `usgov`, `usgov-dod`, `china`. */
  'cloud_unknown';

/** Every validation rule code: what is wrong with a value, independent of language. */
export type RuleCode = TenantRuleCode | ClientIdRuleCode | ClientSecretRuleCode | ScopeRuleCode | CloudRuleCode;

/** The outcome of the rules on one field. */
export interface FieldValidation<Code extends RuleCode = RuleCode> {
  /** A finding that blocks submission. */
  readonly error?: Code;
  /** A finding that is shown but does not block submission. */
  readonly warning?: Code;
  /** The cleaned, normalized value: what would be sent (a GUID in lowercase, a tenant extracted from a URL...). */
  readonly normalized: string;
}

/** What `validate()` returns. */
export interface ValidationResult {
  /** True when no field has an error (warnings do not count). */
  readonly valid: boolean;
  /** The outcome of each field. */
  readonly fields: {
    readonly tenantId: FieldValidation<TenantRuleCode>;
    readonly clientId: FieldValidation<ClientIdRuleCode>;
    readonly clientSecret: FieldValidation<ClientSecretRuleCode>;
    readonly scope: FieldValidation<ScopeRuleCode>;
    readonly cloud: FieldValidation<CloudRuleCode>;
  };
}

/** The values `validate()` checks. Missing fields count as empty. */
export interface ValidateInput {
  /** Directory (tenant) ID: a GUID, a domain such as `contoso.onmicrosoft.com`, or a pasted login URL. */
  tenantId?: string;
  /** Application (client) ID: a GUID. */
  clientId?: string;
  /** The client secret's Value (not its Secret ID). */
  clientSecret?: string;
  /** A single `{resource}/.default` scope; empty means the cloud's Microsoft Graph `/.default`. */
  scope?: string;
  /** The cloud; defaults to `global`. Any other string gives the `cloud_unknown` error. */
  cloud?: Cloud | (string & {});
}

/** The connection the backend created: what `connect()` resolves with. No secret in it. */
export interface Connection {
  /** The backend's identifier of the stored connection. */
  readonly connectionId: string;
  /** The tenant; the backend may return the resolved GUID for a domain that was entered. */
  readonly tenantId: string;
  /** The Application (client) ID. */
  readonly clientId: string;
  /** The cloud the credentials belong to. */
  readonly cloud: Cloud;
  /** The scope the credentials were verified with. */
  readonly scope: string;
  /** Application permissions the token carries (its `roles` claim). */
  readonly grantedPermissions: readonly string[];
  /** Entries of `requiredPermissions` that were not granted: an administrator must grant admin consent. */
  readonly missingPermissions: readonly string[];
}

/** Values the host already knows; shown and validated like typed ones. */
export interface Prefill {
  /** Directory (tenant) ID. */
  tenantId?: string;
  /** Application (client) ID. */
  clientId?: string;
  /** Scope (`{resource}/.default`). */
  scope?: string;
}

/** Look of the modal. Values are CSS values. */
export interface Appearance {
  /** Accent colour of buttons, focus rings and links, e.g. `#0b5cad`. */
  accent?: string;
  /** Corner radius, e.g. `8px`. */
  radius?: string;
  /** Font stack, e.g. `Inter, sans-serif`. */
  fontFamily?: string;
}

/** The modal was drawn. */
export interface ConnectOpenEvent {
  readonly type: 'open';
}

/** A field shows an error (on blur or on submit). Never contains the value. */
export interface ConnectFieldErrorEvent {
  readonly type: 'field_error';
  /** The field. */
  readonly field: FieldName;
  /** The rule that failed. */
  readonly code: RuleCode;
}

/** The administrator submitted the form. */
export interface ConnectSubmitEvent {
  readonly type: 'submit';
}

/** A submission is retried (network failure, 429, 502/503/504) with the same Idempotency-Key. */
export interface ConnectRetryEvent {
  readonly type: 'retry';
  /** The attempt about to be made: 2, 3, ... */
  readonly attempt: number;
  /** Milliseconds waited before it. */
  readonly delay: number;
}

/** The backend created the connection. */
export interface ConnectSuccessEvent {
  readonly type: 'success';
  /** The backend's identifier of the connection. */
  readonly connectionId: string;
}

/** A submission failed (after any retries); the administrator may correct and retry. */
export interface ConnectErrorEvent {
  readonly type: 'error';
  /** Why it failed. */
  readonly code: ConnectErrorCode;
  /** The HTTP status of the last answer, when there was one. */
  readonly status?: number;
  /** The field the failure concerns, when known. */
  readonly field?: FieldName;
}

/** The modal closed (for any reason) and every node and listener it added is gone. */
export interface ConnectCloseEvent {
  readonly type: 'close';
}

/** What `onEvent` receives. No event ever contains a secret. */
export type ConnectEvent =
  | ConnectOpenEvent
  | ConnectFieldErrorEvent
  | ConnectSubmitEvent
  | ConnectRetryEvent
  | ConnectSuccessEvent
  | ConnectErrorEvent
  | ConnectCloseEvent;

/** Every event type. */
export type ConnectEventType = ConnectEvent['type'];

/**
 * The session token sent as `Authorization: Bearer …`: a string, or a function returning one
 * or a Promise of one. A function is called for each submission, and once more when the backend
 * answers `invalid_session` (401); a string that is rejected ends in `session_expired`.
 */
export type SessionToken = string | (() => string | PromiseLike<string>);

/** Options shared by both protocols. */
export interface CommonOptions {
  /** The token that authenticates the signed-in user to your backend. Required. */
  sessionToken: SessionToken;
  /** The Microsoft cloud. Default `global`. */
  cloud?: Cloud;
  /** A single `{resource}/.default` scope. Default: the cloud's Microsoft Graph `/.default`. */
  scope?: string;
  /** Application permissions your app needs, e.g. `['User.Read.All', 'Mail.Read']`; listed with an admin-consent button. */
  requiredPermissions?: readonly string[];
  /** Values the host already knows. */
  prefill?: Prefill;
  /** Prefilled fields the administrator cannot change; each needs a valid prefill (else `invalid_options`). */
  locked?: readonly PrefillField[];
  /** Your product's name, shown in the title ("Connect Acme CRM to Microsoft Entra ID"). */
  appName?: string;
  /** The language; default from `navigator.languages`. */
  locale?: Locale;
  /** Overrides of any text of the modal, by message key. */
  messages?: Readonly<Record<string, string>>;
  /** `auto` follows `prefers-color-scheme`. Default `auto`. */
  theme?: 'auto' | 'light' | 'dark';
  /** Accent colour, corner radius and font. */
  appearance?: Appearance;
  /** Render inline in this element instead of as a modal dialog over the page. */
  container?: HTMLElement;
  /** Aborting it closes the modal and rejects with `aborted`. */
  signal?: AbortSignal;
  /** Budget for one submission, retries included, in milliseconds. Default 30000. */
  timeoutMs?: number;
  /** Called with each lifecycle event (analytics). Never receives a secret. */
  onEvent?: (event: ConnectEvent) => void;
}

/** Options for your own backend implementing the connection endpoint contract. */
export interface EndpointOptions extends CommonOptions {
  /** The default protocol: leave it out. */
  protocol?: undefined;
  /**
   * URL the credentials are POSTed to. Relative URLs and `https:` are accepted; `http:` only
   * for `localhost`, `127.0.0.1` and `[::1]`.
   */
  endpoint: string;
}

/** Options for a Nango server (`microsoft-oauth2-cc` provider). `sessionToken` is Nango's connect session token. */
export interface NangoOptions extends CommonOptions {
  /** Speak Nango's API instead of the endpoint contract. */
  protocol: 'nango';
  /** The Nango server, e.g. `https://api.nango.dev`. */
  host: string;
  /** The integration's unique key in Nango. */
  providerConfigKey: string;
  /** Not used with Nango. */
  endpoint?: undefined;
}

/** What `connect()` accepts. */
export type ConnectOptions = EndpointOptions | NangoOptions;

/**
 * Opens the connection modal. Settles exactly once: resolves with the connection as soon as
 * the backend created it; rejects with a {@link ConnectError}. A failed submission does not
 * settle it by itself: the administrator can correct the values and retry.
 */
export function connect(options: ConnectOptions): Promise<Connection>;

/**
 * Runs the form's rules on values your own form collected (headless use). Synchronous:
 * throws an `Error` unless the module is loaded (`await preload()` first).
 */
export function validate(input: ValidateInput): ValidationResult;

/**
 * Loads and instantiates the WebAssembly module ahead of time (e.g. on hover), so that
 * `connect()` draws the form at once. Safe to call any number of times.
 * Rejects with a `network` {@link ConnectError} when the module cannot be loaded.
 */
export function preload(): Promise<void>;

/** Why `connect()` rejected. A real `Error` subclass: `instanceof ConnectError` works. */
export class ConnectError extends Error {
  constructor(
    code: ConnectErrorCode,
    message: string,
    extra?: {
      field?: FieldName;
      status?: number;
      retryAfter?: number;
      details?: unknown;
      cause?: unknown;
    },
  );
  /** Always `ConnectError`. */
  readonly name: 'ConnectError';
  /** What happened. */
  readonly code: ConnectErrorCode;
  /** The form field a server error concerns (`invalid_secret` → `clientSecret`), when known. */
  readonly field?: FieldName;
  /** The HTTP status of the backend's last answer, when there was one. */
  readonly status?: number;
  /** Seconds the backend asked to wait (`Retry-After`), when it said so. */
  readonly retryAfter?: number;
  /** The backend's `error.details` (or its error code and message), when it sent any. */
  readonly details?: unknown;
}
