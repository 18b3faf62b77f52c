//! Builds the modal's DOM (SPEC §4 and the DOM contract in the team notes): the host
//! element with its open shadow root, the dialog, the fields in form order, the
//! permissions box, the actions, and the (empty) success and confirmation panes.
//!
//! Texts are set with `textContent` only; nothing here parses markup.

use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{
    Element, HtmlDetailsElement, HtmlElement, HtmlInputElement, HtmlSelectElement, ShadowRoot,
    ShadowRootInit, ShadowRootMode,
};

use super::super::dom::{child, element, html_child, set, text};
use super::super::options::Config;
use crate::messages::{fill, Msg, Texts};
use crate::rules::{Cloud, Field};

/// Microsoft Learn pages linked from each field.
const TENANT_DOC: &str = "https://learn.microsoft.com/entra/fundamentals/how-to-find-tenant";
const CLIENT_DOC: &str =
    "https://learn.microsoft.com/entra/identity-platform/quickstart-register-app";
const SECRET_DOC: &str =
    "https://learn.microsoft.com/entra/identity-platform/how-to-add-credentials?tabs=client-secret";
const CLOUD_DOC: &str =
    "https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud";
const SCOPE_DOC: &str =
    "https://learn.microsoft.com/entra/identity-platform/scopes-oidc#the-default-scope";

/// The elements the modal reads and updates after drawing.
pub(super) struct View {
    /// `<div data-entra-connect>`, in the page.
    pub host: HtmlElement,
    /// Its open shadow root.
    pub shadow: ShadowRoot,
    /// The dimmed layer behind the dialog (modal mode only).
    pub backdrop: Option<Element>,
    /// `role="dialog"`.
    pub dialog: Element,
    /// The pane holding the form (hidden on success and while confirming).
    pub form_pane: Element,
    /// `[data-view="success"]`, filled on success.
    pub success_pane: Element,
    /// The "discard your changes?" pane.
    pub confirm_pane: Element,
    /// Its "Keep editing" button, focused when it opens.
    pub keep_button: Element,
    /// The form-level `role="alert"` region.
    pub alert: Element,
    /// A polite live region for progress ("Connecting…", "Retrying in 2 s…").
    pub live: Element,
    /// Tenant, client ID, client secret and scope inputs.
    pub inputs: [HtmlInputElement; 4],
    /// The cloud select.
    pub cloud: HtmlSelectElement,
    /// Each field's message element, indexed like [`Field::ALL`].
    pub messages: [Element; 5],
    /// The "Advanced" disclosure.
    pub advanced: HtmlDetailsElement,
    /// The secret's show/hide toggle.
    pub toggle_secret: Element,
    /// The admin consent button and its note, when permissions are required.
    pub consent: Option<(Element, Element)>,
    /// The submit button.
    pub submit: HtmlElement,
    /// The text inside the submit button.
    pub submit_label: Element,
    /// Why the form cannot be submitted yet (describes the submit button).
    pub status: Element,
}

impl View {
    /// The input or select of `field`.
    pub fn control(&self, field: Field) -> &Element {
        match field {
            Field::TenantId => &self.inputs[0],
            Field::ClientId => &self.inputs[1],
            Field::ClientSecret => &self.inputs[2],
            Field::Scope => &self.inputs[3],
            Field::Cloud => &self.cloud,
        }
    }

    /// The message element of `field`.
    pub fn message(&self, field: Field) -> &Element {
        &self.messages[field as usize]
    }
}

/// The label of a field in the user's language.
pub(super) fn label(field: Field) -> Msg {
    match field {
        Field::TenantId => Msg::TenantIdLabel,
        Field::ClientId => Msg::ClientIdLabel,
        Field::ClientSecret => Msg::ClientSecretLabel,
        Field::Scope => Msg::ScopeLabel,
        Field::Cloud => Msg::CloudLabel,
    }
}

/// The select's text of a cloud.
fn cloud_name(cloud: Cloud) -> Msg {
    match cloud {
        Cloud::Global => Msg::CloudGlobal,
        Cloud::UsGov => Msg::CloudUsGov,
        Cloud::UsGovDod => Msg::CloudUsGovDod,
        Cloud::China => Msg::CloudChina,
    }
}

/// Draws the modal for `config`, detached: the caller inserts `host` into the page.
pub(super) fn build(config: &Config) -> View {
    let texts = &config.texts;
    let locale = texts.locale();

    let host: HtmlElement = element("div").unchecked_into();
    set(&host, "data-entra-connect", "");
    set(&host, "data-theme", config.theme.name());
    set(&host, "lang", locale.tag());
    set(&host, "dir", if locale.is_rtl() { "rtl" } else { "ltr" });
    if config.container.is_some() {
        set(&host, "data-inline", "");
    }
    let shadow = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .unwrap_throw();

    let modal = config.container.is_none();
    let (backdrop, dialog_parent): (Option<Element>, Element) = if modal {
        let backdrop = element("div");
        backdrop.set_class_name("backdrop");
        (Some(backdrop.clone()), backdrop)
    } else {
        let wrapper = element("div");
        wrapper.set_class_name("inline");
        (None, wrapper)
    };
    let _ = shadow.append_child(&dialog_parent);

    let dialog = child(&dialog_parent, "div", "dialog");
    set(&dialog, "role", "dialog");
    if modal {
        set(&dialog, "aria-modal", "true");
    }
    set(&dialog, "aria-labelledby", "title");
    set(&dialog, "aria-describedby", "intro");

    // Header: mark, title, close button.
    let head = child(&dialog, "div", "head");
    set(&child(&head, "span", "logo"), "aria-hidden", "true");
    let title = child(&head, "h2", "title");
    set(&title, "id", "title");
    match &config.app_name {
        Some(name) => text(&title, &fill(texts.get(Msg::Title), "appName", name)),
        None => text(&title, texts.get(Msg::TitleGeneric)),
    }
    let close = child(&head, "button", "icon");
    set(&close, "type", "button");
    set(&close, "data-action", "close");
    set(&close, "aria-label", texts.get(Msg::Close));
    text(&close, "×");

    // The form pane.
    let form_pane = child(&dialog, "div", "pane");
    set(&form_pane, "data-view", "form");
    let intro = child(&form_pane, "p", "intro");
    set(&intro, "id", "intro");
    text(&intro, texts.get(Msg::Intro));
    let alert = child(&form_pane, "div", "alert");
    set(&alert, "role", "alert");

    let form = child(&form_pane, "form", "");
    set(&form, "novalidate", "");

    let locked_hint = texts.get(Msg::LockedHint);
    let tenant = text_field(
        &form,
        texts,
        Field::TenantId,
        Msg::TenantIdHint,
        Msg::TenantIdDoc,
        TENANT_DOC,
        config.locked.tenant_id.then_some(locked_hint),
    );
    tenant.set_value(&config.tenant_id);
    let client = text_field(
        &form,
        texts,
        Field::ClientId,
        Msg::ClientIdHint,
        Msg::ClientIdDoc,
        CLIENT_DOC,
        config.locked.client_id.then_some(locked_hint),
    );
    client.set_value(&config.client_id);
    let (secret, toggle_secret) = secret_field(&form, texts);

    let advanced: HtmlDetailsElement = child(&form, "details", "advanced").unchecked_into();
    text(&child(&advanced, "summary", ""), texts.get(Msg::Advanced));
    let cloud = cloud_field(&advanced, texts, config.cloud);
    let scope = text_field(
        &advanced,
        texts,
        Field::Scope,
        Msg::ScopeHint,
        Msg::ScopeDoc,
        SCOPE_DOC,
        config.locked.scope.then_some(locked_hint),
    );
    scope.set_value(&config.scope);
    scope.set_placeholder(config.cloud.default_scope());

    let consent = (!config.required_permissions.is_empty())
        .then(|| permissions_box(&form, texts, &config.required_permissions));

    let actions = child(&form, "div", "actions");
    let status = child(&actions, "p", "status");
    set(&status, "id", "submit-status");
    let buttons = child(&actions, "div", "buttons");
    let cancel = child(&buttons, "button", "btn");
    set(&cancel, "type", "button");
    set(&cancel, "data-action", "cancel");
    text(&cancel, texts.get(Msg::Cancel));
    let submit = html_child(&buttons, "button", "btn primary");
    set(&submit, "type", "submit");
    set(&submit, "aria-describedby", "submit-status");
    set(&child(&submit, "span", "spinner"), "aria-hidden", "true");
    let submit_label = child(&submit, "span", "");
    text(&submit_label, texts.get(Msg::Submit));

    let live = child(&form_pane, "p", "sr-only");
    set(&live, "aria-live", "polite");

    // Success pane: filled when the connection is created.
    let success_pane = child(&dialog, "div", "pane success");
    set(&success_pane, "data-view", "success");
    set(&success_pane, "hidden", "");

    // Confirmation pane: asked before closing an edited form.
    let confirm_pane = child(&dialog, "div", "pane confirm");
    set(&confirm_pane, "hidden", "");
    set(&confirm_pane, "role", "group");
    set(&confirm_pane, "aria-labelledby", "confirm-title");
    set(&confirm_pane, "aria-describedby", "confirm-text");
    let confirm_title = child(&confirm_pane, "h3", "");
    set(&confirm_title, "id", "confirm-title");
    text(&confirm_title, texts.get(Msg::ConfirmTitle));
    let confirm_text = child(&confirm_pane, "p", "");
    set(&confirm_text, "id", "confirm-text");
    text(&confirm_text, texts.get(Msg::ConfirmText));
    let confirm_buttons = child(&confirm_pane, "div", "buttons");
    let discard = child(&confirm_buttons, "button", "btn danger");
    set(&discard, "type", "button");
    set(&discard, "data-action", "discard");
    text(&discard, texts.get(Msg::ConfirmDiscard));
    let keep_button = child(&confirm_buttons, "button", "btn primary");
    set(&keep_button, "type", "button");
    set(&keep_button, "data-action", "keep");
    text(&keep_button, texts.get(Msg::ConfirmKeep));

    let messages = [
        message_of(&shadow, Field::TenantId),
        message_of(&shadow, Field::ClientId),
        message_of(&shadow, Field::ClientSecret),
        message_of(&shadow, Field::Scope),
        message_of(&shadow, Field::Cloud),
    ];

    View {
        host,
        shadow,
        backdrop,
        dialog,
        form_pane,
        success_pane,
        confirm_pane,
        keep_button,
        alert,
        live,
        inputs: [tenant, client, secret, scope],
        cloud,
        messages,
        advanced,
        toggle_secret,
        consent,
        submit,
        submit_label,
        status,
    }
}

fn message_of(shadow: &ShadowRoot, field: Field) -> Element {
    let mut id = String::with_capacity(24);
    id.push_str(field.js_name());
    id.push_str("-message");
    shadow.get_element_by_id(&id).unwrap_throw()
}

/// `<div class="field">` with label, hint, control slot, message and documentation link;
/// returns the field and the element the control goes into.
fn field_frame(
    parent: &Element,
    texts: &Texts,
    field: Field,
    hint: Msg,
    doc: Msg,
    url: &str,
    extra_hint: Option<&str>,
) -> (Element, String) {
    let name = field.js_name();
    let mut hint_id = String::with_capacity(24);
    hint_id.push_str(name);
    hint_id.push_str("-hint");
    let mut message_id = String::with_capacity(24);
    message_id.push_str(name);
    message_id.push_str("-message");

    let frame = child(parent, "div", "field");
    let label = child(&frame, "label", "");
    set(&label, "for", name);
    text(&label, texts.get(self::label(field)));
    let hint_node = child(&frame, "p", "hint");
    set(&hint_node, "id", &hint_id);
    match extra_hint {
        Some(extra) => {
            let mut both = String::with_capacity(160);
            both.push_str(texts.get(hint));
            both.push(' ');
            both.push_str(extra);
            text(&hint_node, &both);
        }
        None => text(&hint_node, texts.get(hint)),
    }
    // The documentation link ends the hint, so it costs no line of its own.
    let _ = hint_node.append_with_str_1(" ");
    let link = child(&hint_node, "a", "doc");
    set(&link, "href", url);
    set(&link, "target", "_blank");
    set(&link, "rel", "noopener noreferrer");
    text(&link, texts.get(doc));
    text(&child(&link, "span", "sr-only"), texts.get(Msg::NewTab));
    let control = child(&frame, "div", "control");
    let message = child(&frame, "p", "msg");
    set(&message, "id", &message_id);

    let mut described_by = hint_id;
    described_by.push(' ');
    described_by.push_str(&message_id);
    (control, described_by)
}

fn input_in(control: &Element, field: Field, described_by: &str) -> HtmlInputElement {
    let name = field.js_name();
    let input: HtmlInputElement = child(control, "input", "").unchecked_into();
    set(&input, "id", name);
    set(&input, "name", name);
    set(&input, "type", "text");
    set(&input, "autocomplete", "off");
    set(&input, "spellcheck", "false");
    set(&input, "autocapitalize", "off");
    // IDs and secrets read left to right, also in a right-to-left form.
    set(&input, "dir", "auto");
    set(&input, "aria-describedby", described_by);
    input
}

fn text_field(
    parent: &Element,
    texts: &Texts,
    field: Field,
    hint: Msg,
    doc: Msg,
    url: &str,
    locked: Option<&str>,
) -> HtmlInputElement {
    let (control, described_by) = field_frame(parent, texts, field, hint, doc, url, locked);
    let input = input_in(&control, field, &described_by);
    if field != Field::Scope {
        set(&input, "aria-required", "true");
        input.set_class_name("mono");
    }
    if locked.is_some() {
        input.set_read_only(true);
        set(&input, "data-locked", "");
    }
    input
}

fn secret_field(parent: &Element, texts: &Texts) -> (HtmlInputElement, Element) {
    let (control, described_by) = field_frame(
        parent,
        texts,
        Field::ClientSecret,
        Msg::ClientSecretHint,
        Msg::ClientSecretDoc,
        SECRET_DOC,
        None,
    );
    control.set_class_name("control secret");
    let input = input_in(&control, Field::ClientSecret, &described_by);
    set(&input, "type", "password");
    set(&input, "aria-required", "true");
    // Password managers must not offer to store or fill a client secret.
    set(&input, "data-lpignore", "true");
    set(&input, "data-1p-ignore", "");
    input.set_class_name("mono");
    let toggle = child(&control, "button", "btn toggle");
    set(&toggle, "type", "button");
    set(&toggle, "data-action", "toggle-secret");
    set(&toggle, "aria-controls", "clientSecret");
    set(&toggle, "aria-pressed", "false");
    set(&toggle, "aria-label", texts.get(Msg::ShowSecretLabel));
    text(&toggle, texts.get(Msg::ShowSecret));
    (input, toggle)
}

fn cloud_field(parent: &Element, texts: &Texts, selected: Cloud) -> HtmlSelectElement {
    let (control, described_by) = field_frame(
        parent,
        texts,
        Field::Cloud,
        Msg::CloudHint,
        Msg::CloudDoc,
        CLOUD_DOC,
        None,
    );
    let select: HtmlSelectElement = child(&control, "select", "").unchecked_into();
    set(&select, "id", "cloud");
    set(&select, "name", "cloud");
    set(&select, "aria-describedby", &described_by);
    for cloud in Cloud::ALL {
        let option = child(&select, "option", "");
        set(&option, "value", cloud.name());
        text(&option, texts.get(cloud_name(cloud)));
    }
    select.set_value(selected.name());
    select
}

fn permissions_box(parent: &Element, texts: &Texts, permissions: &[String]) -> (Element, Element) {
    let section = child(parent, "section", "perms");
    set(&section, "aria-labelledby", "perms-title");
    let heading = child(&section, "h3", "");
    set(&heading, "id", "perms-title");
    text(&heading, texts.get(Msg::PermissionsTitle));
    text(&child(&section, "p", ""), texts.get(Msg::PermissionsIntro));
    let list = child(&section, "ul", "chips");
    for permission in permissions {
        text(&child(&list, "li", ""), permission);
    }
    let row = child(&section, "div", "consent");
    let button = child(&row, "button", "btn");
    set(&button, "type", "button");
    set(&button, "data-action", "consent");
    set(&button, "aria-describedby", "consent-note");
    text(&button, texts.get(Msg::ConsentButton));
    let note = child(&row, "p", "note");
    set(&note, "id", "consent-note");
    (button, note)
}
