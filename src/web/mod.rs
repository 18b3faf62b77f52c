//! The browser shell: JavaScript exports, the modal, and the transport.

pub(crate) mod transport;
pub(crate) mod validate;
