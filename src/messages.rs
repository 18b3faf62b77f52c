//! Message catalogs (owned by the modal helper).
