//! The message catalogues (`i18n/<locale>/*.ftl`) are compiled into the crate by
//! `fluent_templates::static_loader!`, which cargo cannot see: without this, a new or changed
//! catalogue file would show raw keys until something else rebuilt the crate.

fn main() {
    println!("cargo:rerun-if-changed=i18n");
}
