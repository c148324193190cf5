//! The message of a builder field never set. etna-codegen's `unset_fields.rs`
//! starts the generated builders' required fields as an empty error, which
//! allocates nothing, instead of as their message; the message is written
//! here, only when a field is still unset where it is read.

/// `message` when `error` is the empty error a builder starts a field with;
/// otherwise the setter's own error, which is never empty.
#[doc(hidden)]
pub fn unset(error: String, message: &'static str) -> String {
    if error.is_empty() {
        message.to_owned()
    } else {
        error
    }
}
