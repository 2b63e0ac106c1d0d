//! The message catalogues: one Fluent file set per language under `jobs/i18n/<locale>/`,
//! compiled into the binary. Pages and mail take every word from here (no text in a template);
//! a key names its page or subject and its purpose (`tender-publish-button`). An error `code`
//! of the API (`budget.insufficient`) is the key `error-budget-insufficient`.

use std::borrow::Cow;
use std::collections::HashMap;

use entity::rules::vocab::Locale;
/// A Fluent argument's value (a number selects a plural form; a string does not).
pub use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static CATALOGUE = {
        locales: "./i18n",
        fallback_language: "zh-CN",
        // Plain text around arguments: the pages escape what they show.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ZH_CN: LanguageIdentifier = langid!("zh-CN");
static EN: LanguageIdentifier = langid!("en");

fn lang(l: Locale) -> &'static LanguageIdentifier {
    match l {
        Locale::ZhCn => &ZH_CN,
        Locale::En => &EN,
    }
}

/// The text of `key` in `locale`; the key itself when neither the locale nor the fallback
/// (`zh-CN`) has it, so that a missing text shows, and the catalogue test catches it.
pub fn text(locale: Locale, key: &str) -> String {
    // A text without arguments never changes: each thread formats it once (a page asks for
    // dozens of labels, each a Fluent lookup and format otherwise).
    thread_local! {
        static PLAIN: std::cell::RefCell<[HashMap<Box<str>, String>; 2]> =
            std::cell::RefCell::new([HashMap::new(), HashMap::new()]);
    }
    let slot = match locale {
        Locale::ZhCn => 0,
        Locale::En => 1,
    };
    PLAIN.with_borrow_mut(|plain| {
        if let Some(t) = plain[slot].get(key) {
            return t.clone();
        }
        // Only keys of the catalogue are kept: a key may come from a request (a flash
        // cookie), and unknown ones must not grow the map.
        match CATALOGUE.try_lookup(lang(locale), key) {
            Some(t) => {
                plain[slot].insert(key.into(), t.clone());
                t
            }
            None => key.to_string(),
        }
    })
}

/// The text of `key` in `locale` with its `{ $name }` arguments.
pub fn text_with(locale: Locale, key: &str, args: &[(&'static str, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.clone())))
        .collect();
    CATALOGUE
        .try_lookup_with_args(lang(locale), key, &args)
        .unwrap_or_else(|| key.to_string())
}

/// The text of `key` in `locale` with Fluent arguments as they are (numbers select plurals).
pub fn text_args(
    locale: Locale,
    key: &str,
    args: &HashMap<Cow<'static, str>, FluentValue<'_>>,
) -> String {
    CATALOGUE
        .try_lookup_with_args(lang(locale), key, args)
        .unwrap_or_else(|| key.to_string())
}

/// The catalogue key of an API error code.
pub fn error_key(code: &str) -> String {
    format!("error-{}", code.replace(['.', '_'], "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message of a catalogue, read from its files, with the arguments it uses.
    fn messages(locale: &str) -> std::collections::BTreeMap<String, Vec<String>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("i18n")
            .join(locale);
        let mut out = std::collections::BTreeMap::new();
        for f in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            for line in text.lines() {
                if let Some((k, v)) = line.split_once(" =")
                    && !k.is_empty()
                    && !k.starts_with([' ', '#', '-'])
                {
                    let args = v
                        .split("{ $")
                        .skip(1)
                        .filter_map(|a| a.split_once(' ').map(|(n, _)| n.to_string()))
                        .collect();
                    out.insert(k.trim().to_string(), args);
                }
            }
        }
        out
    }

    #[test]
    fn both_languages_have_the_same_messages_and_each_formats() {
        let (zh, en) = (messages("zh-CN"), messages("en"));
        assert!(!zh.is_empty());
        let only_zh: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        let only_en: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        assert!(only_zh.is_empty(), "missing in en: {only_zh:?}");
        assert!(only_en.is_empty(), "missing in zh-CN: {only_en:?}");
        for (locale, all) in [(Locale::ZhCn, &zh), (Locale::En, &en)] {
            for (key, args) in all {
                let args: HashMap<Cow<'static, str>, FluentValue> = args
                    .iter()
                    .map(|a| (Cow::Owned(a.clone()), FluentValue::from("1")))
                    .collect();
                let got = CATALOGUE.lookup_single_language(lang(locale), key, Some(&args));
                assert!(got.is_ok(), "{locale:?} {key}: {got:?}");
            }
        }
    }

    #[test]
    fn texts_take_their_arguments_in_each_language() {
        let args = [("name", "王会计".to_string())];
        assert_eq!(
            text_with(Locale::ZhCn, "layout-signed-in-as", &args),
            "王会计"
        );
        assert_eq!(text(Locale::En, "nav-home"), "Home");
        assert_eq!(text(Locale::ZhCn, "nav-home"), "首页");
        assert_eq!(text(Locale::En, "no-such-key"), "no-such-key");
        assert_eq!(
            error_key("password.change_required"),
            "error-password-change-required"
        );
    }
}
