//! `cargo run -p uniffi-bindgen -- generate --library <lib> --language kotlin|swift ...`
fn main() {
    uniffi::uniffi_bindgen_main()
}
