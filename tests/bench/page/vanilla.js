// The baseline: a hand-written vanilla-JS modal with the same three fields (tenant ID,
// client ID, client secret), drawn the same way as the SDK's (a shadow root, one
// constructed stylesheet built once, focus moved to the first field). It validates
// nothing and speaks one language: it is the floor the SDK is measured against.

let sheet;

function stylesheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(`
      .backdrop { position: fixed; inset: 0; background: rgb(0 0 0 / 0.45); display: grid; place-items: center; }
      .dialog { background: #fff; color: #1b1b1f; border-radius: 12px; padding: 24px; width: min(480px, 100vw - 32px);
                font: 15px/1.5 system-ui, sans-serif; box-shadow: 0 20px 60px rgb(0 0 0 / 0.3); }
      label { display: block; font-weight: 600; margin-top: 12px; }
      input { display: block; width: 100%; box-sizing: border-box; padding: 8px 10px; border: 1px solid #8a8a94; border-radius: 8px; font: inherit; }
      .actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 20px; }
      button { font: inherit; padding: 8px 16px; border-radius: 8px; border: 1px solid #8a8a94; background: #fff; }
      button[type=submit] { background: #0b5cad; color: #fff; border-color: #0b5cad; }
    `);
  }
  return sheet;
}

function element(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

/** Opens the vanilla modal; resolves with the submitted values or null when closed. */
export function openVanilla() {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const host = element('div', { 'data-vanilla-modal': '' });
    const root = host.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [stylesheet()];
    const backdrop = element('div', { class: 'backdrop' });
    const dialog = element('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'title' });
    dialog.append(element('h2', { id: 'title' }, 'Connect Microsoft Entra ID'));
    const form = element('form');
    const fields = [
      ['tenantId', 'Directory (tenant) ID', 'text'],
      ['clientId', 'Application (client) ID', 'text'],
      ['clientSecret', 'Client secret', 'password'],
    ];
    for (const [name, label, type] of fields) {
      form.append(element('label', { for: name }, label));
      form.append(element('input', { id: name, name, type, autocomplete: 'off' }));
    }
    const actions = element('div', { class: 'actions' });
    const cancel = element('button', { type: 'button', 'data-action': 'close' }, 'Cancel');
    actions.append(cancel, element('button', { type: 'submit' }, 'Connect'));
    form.append(actions);
    dialog.append(form);
    backdrop.append(dialog);
    root.append(backdrop);
    document.body.append(host);

    const close = (result) => {
      document.removeEventListener('keydown', onKey);
      host.remove();
      opener?.focus?.();
      resolve(result);
    };
    const onKey = (event) => event.key === 'Escape' && close(null);
    document.addEventListener('keydown', onKey);
    cancel.addEventListener('click', () => close(null));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      close(Object.fromEntries(new FormData(form)));
    });
    root.getElementById('tenantId').focus();
  });
}
