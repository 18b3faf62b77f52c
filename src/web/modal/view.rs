//! Builds the modal's DOM (SPEC §4 and the DOM contract in the team notes): the host
//! element with its open shadow root, the dialog, the fields in form order, the
//! permissions box, the actions, and the (empty) success and confirmation panes.
//!
//! Texts are set with `textContent` only; nothing here parses markup.

use std::cell::OnceCell;
use std::rc::Rc;

use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{
    Element, HtmlDetailsElement, HtmlElement, HtmlInputElement, HtmlSelectElement, ShadowRoot,
    ShadowRootInit, ShadowRootMode,
};

use super::super::dom::{element, flag, node, set, text, text_node};
use super::super::options::Config;
use crate::messages::{fill, Msg, Texts};
use crate::rules::{Cloud, Field};

/// Microsoft Learn pages linked from each field, after `https://learn.microsoft.com/<locale>`
/// (see [`crate::messages::Locale::learn`]), so each opens in the modal's language.
const TENANT_DOC: &str = "/entra/fundamentals/how-to-find-tenant";
const CLIENT_DOC: &str = "/entra/identity-platform/quickstart-register-app";
const SECRET_DOC: &str = "/entra/identity-platform/how-to-add-credentials?tabs=client-secret";
const CLOUD_DOC: &str = "/entra/identity-platform/authentication-national-cloud";
const SCOPE_DOC: &str = "/entra/identity-platform/scopes-oidc#the-default-scope";

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
    /// Its "Keep editing" button, focused when it opens (see [`View::confirm_keep`]).
    keep_button: OnceCell<Element>,
    /// The form-level `role="alert"` region.
    pub alert: Element,
    /// A polite live region for progress ("Connecting…", "Retrying in 2 s…").
    pub live: Element,
    /// Tenant, client ID, client secret and scope inputs.
    pub inputs: [HtmlInputElement; 4],
    /// The cloud select, drawn when the Advanced disclosure first opens (see
    /// [`View::cloud`]): a `<select>` is the costliest element of the form to create, and
    /// most administrators never change the cloud.
    cloud: OnceCell<HtmlSelectElement>,
    /// The cloud field's control slot and the select's `aria-describedby`.
    cloud_slot: (Element, String),
    /// What the lazily drawn parts are drawn from.
    config: Rc<Config>,
    /// Each field's message element, indexed like [`Field::ALL`].
    pub messages: [Element; 5],
    /// The "Advanced" disclosure.
    pub advanced: HtmlDetailsElement,
    /// Its fields (cloud and scope), kept out of the document until it first opens (see
    /// [`View::draw_advanced`]): in the document, even folded away, they cost the first
    /// open about 3 ms of style work, for fields most administrators never open.
    advanced_body: Element,
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
    /// The input or select of `field` (the cloud select is drawn if it was not yet).
    pub fn control(&self, field: Field) -> &Element {
        match field {
            Field::TenantId => &self.inputs[0],
            Field::ClientId => &self.inputs[1],
            Field::ClientSecret => &self.inputs[2],
            Field::Scope => &self.inputs[3],
            Field::Cloud => self.cloud(),
        }
    }

    /// The control of `field` if it is drawn.
    pub fn drawn_control(&self, field: Field) -> Option<&Element> {
        match field {
            Field::Cloud => self.cloud.get().map(AsRef::as_ref),
            _ => Some(self.control(field)),
        }
    }

    /// Puts the Advanced fields into the disclosure and draws the cloud select, once.
    /// Called before the disclosure opens (its summary's click) or as it opens.
    pub fn draw_advanced(&self) {
        if self.advanced_body.parent_node().is_none() {
            let _ = self.advanced.append_child(&self.advanced_body);
        }
        self.cloud();
    }

    /// Opens the disclosure, its fields drawn first (to show an error on one of them).
    pub fn open_advanced(&self) {
        self.draw_advanced();
        flag(&self.advanced, "open", true);
    }

    /// The cloud select, drawn on the first call with the configured cloud selected.
    pub fn cloud(&self) -> &HtmlSelectElement {
        self.cloud.get_or_init(|| {
            let (slot, described_by) = &self.cloud_slot;
            cloud_select(slot, described_by, &self.config.texts, self.config.cloud)
        })
    }

    /// The cloud's value: the select's once drawn, the configured cloud before.
    pub fn cloud_value(&self) -> String {
        match self.cloud.get() {
            Some(select) => select.value(),
            None => self.config.cloud.name().to_string(),
        }
    }

    /// The message element of `field`.
    pub fn message(&self, field: Field) -> &Element {
        &self.messages[field as usize]
    }

    /// The confirmation pane's "Keep editing" button; the pane's content is drawn on the
    /// first call.
    pub fn confirm_keep(&self) -> &Element {
        self.keep_button.get_or_init(|| {
            let texts = &self.config.texts;
            let pane = &self.confirm_pane;
            text_node(pane, "h3", "id=confirm-title", texts.get(Msg::ConfirmTitle));
            text_node(pane, "p", "id=confirm-text", texts.get(Msg::ConfirmText));
            let buttons = node(pane, "div", "class=buttons");
            text_node(
                &buttons,
                "button",
                "class=btn danger;type=button;data-action=discard",
                texts.get(Msg::ConfirmDiscard),
            );
            text_node(
                &buttons,
                "button",
                "class=btn primary;type=button;data-action=keep",
                texts.get(Msg::ConfirmKeep),
            )
        })
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
pub(super) fn build(config: &Rc<Config>) -> View {
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
        set(&backdrop, "class", "backdrop");
        (Some(backdrop.clone()), backdrop)
    } else {
        let wrapper = element("div");
        set(&wrapper, "class", "inline");
        (None, wrapper)
    };
    let _ = shadow.append_child(&dialog_parent);

    let dialog = node(
        &dialog_parent,
        "div",
        "class=dialog;role=dialog;aria-labelledby=title;aria-describedby=intro",
    );
    if modal {
        set(&dialog, "aria-modal", "true");
    }

    // Header: mark, title, close button.
    let head = node(&dialog, "div", "class=head");
    node(&head, "span", "class=logo;aria-hidden=true");
    let title = node(&head, "h2", "class=title;id=title");
    match &config.app_name {
        Some(name) => text(&title, &fill(texts.get(Msg::Title), "appName", name)),
        None => text(&title, texts.get(Msg::TitleGeneric)),
    }
    // The cross is drawn by the stylesheet: a glyph would cost a font size of its own.
    let close = node(&head, "button", "class=icon;type=button;data-action=close");
    set(&close, "aria-label", texts.get(Msg::Close));

    // The form pane.
    let form_pane = node(&dialog, "div", "class=pane;data-view=form");
    text_node(
        &form_pane,
        "p",
        "class=intro;id=intro",
        texts.get(Msg::Intro),
    );
    let alert = node(&form_pane, "div", "class=alert;role=alert");

    let form = node(&form_pane, "form", "novalidate=");

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

    let advanced: HtmlDetailsElement = node(&form, "details", "class=advanced").unchecked_into();
    text_node(&advanced, "summary", "", texts.get(Msg::Advanced));
    let advanced_body = element("div");
    let cloud_slot = cloud_field(&advanced_body, texts);
    let scope = text_field(
        &advanced_body,
        texts,
        Field::Scope,
        Msg::ScopeHint,
        Msg::ScopeDoc,
        SCOPE_DOC,
        config.locked.scope.then_some(locked_hint),
    );
    scope.set_value(&config.scope);
    set(&scope, "placeholder", config.cloud.default_scope());

    let consent = (!config.required_permissions.is_empty())
        .then(|| permissions_box(&form, texts, &config.required_permissions));

    let actions = node(&form, "div", "class=actions");
    let status = node(&actions, "p", "class=status;id=submit-status");
    let buttons = node(&actions, "div", "class=buttons");
    text_node(
        &buttons,
        "button",
        "class=btn;type=button;data-action=cancel",
        texts.get(Msg::Cancel),
    );
    let submit: HtmlElement = node(
        &buttons,
        "button",
        "class=btn primary;type=submit;aria-describedby=submit-status",
    )
    .unchecked_into();
    node(&submit, "span", "class=spinner;aria-hidden=true");
    let submit_label = text_node(&submit, "span", "", texts.get(Msg::Submit));

    let live = node(&form_pane, "p", "class=sr-only;aria-live=polite");

    // Success pane: filled when the connection is created.
    let success_pane = node(
        &dialog,
        "div",
        "class=pane success;data-view=success;hidden=",
    );

    // Confirmation pane: asked before closing an edited form; filled when first shown
    // (most opens never need it, and the first open is drawn sooner without it).
    let confirm_pane = node(
        &dialog,
        "div",
        "class=pane confirm;hidden=;role=group;aria-labelledby=confirm-title;aria-describedby=confirm-text",
    );

    let messages = [
        message_in(&form, Field::TenantId),
        message_in(&form, Field::ClientId),
        message_in(&form, Field::ClientSecret),
        message_in(&advanced_body, Field::Scope),
        message_in(&advanced_body, Field::Cloud),
    ];

    View {
        host,
        shadow,
        backdrop,
        dialog,
        form_pane,
        success_pane,
        confirm_pane,
        keep_button: OnceCell::new(),
        alert,
        live,
        inputs: [tenant, client, secret, scope],
        cloud: OnceCell::new(),
        cloud_slot,
        config: config.clone(),
        messages,
        advanced,
        advanced_body,
        toggle_secret,
        consent,
        submit,
        submit_label,
        status,
    }
}

/// The message element of `field` under `root` (the form, or the Advanced fields, which
/// are out of the document until the disclosure first opens).
fn message_in(root: &Element, field: Field) -> Element {
    let mut selector = String::with_capacity(24);
    selector.push('#');
    selector.push_str(field.js_name());
    selector.push_str("-message");
    root.query_selector(&selector).ok().flatten().unwrap_throw()
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

    let frame = node(parent, "div", "class=field");
    let label = text_node(&frame, "label", "", texts.get(self::label(field)));
    set(&label, "for", name);
    let hint_node = node(&frame, "p", "class=hint");
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
    let link = text_node(
        &hint_node,
        "a",
        "class=doc;target=_blank;rel=noopener noreferrer",
        texts.get(doc),
    );
    let mut href = String::with_capacity(96);
    href.push_str("https://learn.microsoft.com/");
    href.push_str(texts.locale().learn());
    href.push_str(url);
    set(&link, "href", &href);
    text_node(&link, "span", "class=sr-only", texts.get(Msg::NewTab));
    let control = node(&frame, "div", "class=control");
    set(&node(&frame, "p", "class=msg"), "id", &message_id);

    let mut described_by = hint_id;
    described_by.push(' ');
    described_by.push_str(&message_id);
    (control, described_by)
}

fn input_in(control: &Element, field: Field, described_by: &str) -> HtmlInputElement {
    let name = field.js_name();
    // IDs and secrets read left to right, also in a right-to-left form (`dir=auto`).
    let input = node(
        control,
        "input",
        "type=text;autocomplete=off;spellcheck=false;autocapitalize=off;dir=auto",
    );
    set(&input, "id", name);
    set(&input, "name", name);
    set(&input, "aria-describedby", described_by);
    input.unchecked_into()
}

/// IDs and the secret are set in a monospace font once they hold text. The blank
/// placeholder makes `:placeholder-shown` tell an empty input from a filled one: an empty
/// form needs no monospace face, so opening does not wait for the system to find and load
/// one (about 10 ms of the first layout on Linux, where most of the font stack is absent).
fn mono(input: &HtmlInputElement) {
    set(input, "class", "mono");
    set(input, "placeholder", " ");
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
        mono(&input);
    }
    if locked.is_some() {
        set(&input, "readonly", "");
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
    set(&control, "class", "control secret");
    let input = input_in(&control, Field::ClientSecret, &described_by);
    set(&input, "type", "password");
    set(&input, "aria-required", "true");
    // Password managers must not offer to store or fill a client secret.
    set(&input, "data-lpignore", "true");
    set(&input, "data-1p-ignore", "");
    mono(&input);
    let toggle = text_node(
        &control,
        "button",
        "class=btn toggle;type=button;data-action=toggle-secret;aria-controls=clientSecret;aria-pressed=false",
        texts.get(Msg::ShowSecret),
    );
    set(&toggle, "aria-label", texts.get(Msg::ShowSecretLabel));
    (input, toggle)
}

/// The cloud field without its select: the control slot and the select's
/// `aria-describedby`, for [`View::cloud`].
fn cloud_field(parent: &Element, texts: &Texts) -> (Element, String) {
    field_frame(
        parent,
        texts,
        Field::Cloud,
        Msg::CloudHint,
        Msg::CloudDoc,
        CLOUD_DOC,
        None,
    )
}

fn cloud_select(
    control: &Element,
    described_by: &str,
    texts: &Texts,
    selected: Cloud,
) -> HtmlSelectElement {
    let select: HtmlSelectElement = node(control, "select", "id=cloud;name=cloud").unchecked_into();
    set(&select, "aria-describedby", described_by);
    for cloud in Cloud::ALL {
        let option = text_node(&select, "option", "", texts.get(cloud_name(cloud)));
        set(&option, "value", cloud.name());
    }
    select.set_value(selected.name());
    select
}

fn permissions_box(parent: &Element, texts: &Texts, permissions: &[String]) -> (Element, Element) {
    let section = node(parent, "section", "class=perms;aria-labelledby=perms-title");
    text_node(
        &section,
        "h3",
        "id=perms-title",
        texts.get(Msg::PermissionsTitle),
    );
    text_node(&section, "p", "", texts.get(Msg::PermissionsIntro));
    let list = node(&section, "ul", "class=chips");
    for permission in permissions {
        text_node(&list, "li", "", permission);
    }
    let row = node(&section, "div", "class=consent");
    let button = text_node(
        &row,
        "button",
        "class=btn;type=button;data-action=consent;aria-describedby=consent-note",
        texts.get(Msg::ConsentButton),
    );
    let note = node(&row, "p", "class=note;id=consent-note");
    (button, note)
}
