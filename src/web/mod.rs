//! The browser shell: JavaScript exports, the modal, and the transport.

pub(crate) mod api;
mod dom;
mod heap;
mod modal;
mod options;
pub(crate) mod transport;
pub(crate) mod validate;
