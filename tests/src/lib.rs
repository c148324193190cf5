//! Cross-crate tests live in tests/tests/workspace/, one test binary.
