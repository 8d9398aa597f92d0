//! The sentences tcp-chat makes in Rust (errors, log lines, `--help`, the terminal's
//! words), in English and Korean: one catalog a language, `en.ftl` and `ko.ftl`, in
//! Project Fluent's format, asked for by name with [`tr!`](crate::tr).
//!
//! The language follows the system's as Qt's does for the window (`LANGUAGE`, `LC_ALL`,
//! `LC_MESSAGES`, `LANG`), or `--lang`. Every message has the variable `$ui` too
//! (`window` or `terminal`), so a sentence that names a button can name the terminal's
//! command instead. The course's fixed words (`Start Listening`, `Connect :`, `[rcv]`,
//! `Error :` ...) are not in the catalog: they stay as the slides show them.
//!
//! The engine makes no sentence: it reports what happened, and a front end puts it in
//! words with [`say`], through the [`Speech`] it was handed (its language and its own
//! controls' words).

pub mod say;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// The English catalog: every message the code asks for.
pub const ENGLISH: &str = include_str!("en.ftl");
/// The Korean catalog: the same messages (a test fails on one missing).
pub const KOREAN: &str = include_str!("ko.ftl");

/// The languages tcp-chat speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

/// Which front end the sentences are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontEnd {
    Window,
    Terminal,
}

/// Whom a front end speaks to: in which language, and with which controls' words (a
/// button in the window, a command in the terminal). Chosen once at start and handed
/// to whatever puts the engine's reports in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Speech {
    pub lang: Lang,
    pub ui: FrontEnd,
}

impl Speech {
    /// The window's words in the run's language.
    pub fn window() -> Self {
        Self {
            lang: lang(),
            ui: FrontEnd::Window,
        }
    }

    /// The terminal's words in the run's language.
    pub fn terminal() -> Self {
        Self {
            lang: lang(),
            ui: FrontEnd::Terminal,
        }
    }

    /// The sentence `id` with `args` in its placeholders. Use [`say!`](crate::say).
    pub fn text(self, id: &str, args: &[(&str, Value)]) -> String {
        text_for(self, id, args)
    }
}

const UNSET: u8 = 0;
/// The run's language: one process-wide choice, because clap builds `--help` from the
/// catalog before anything can be handed a language (its derive reads help texts with
/// no arguments), and Qt reads the process's locale. Made by `--lang` or the system's,
/// before any other thread starts; read by the front ends, never by the engine.
static LANG: AtomicU8 = AtomicU8::new(UNSET);

/// Speaks `lang` from now on (call first thing, before any sentence is made).
pub fn set_lang(lang: Lang) {
    LANG.store(lang as u8 + 1, Ordering::Relaxed);
}

/// The language sentences are made in: the one set, else the system's.
pub fn lang() -> Lang {
    match LANG.load(Ordering::Relaxed) {
        UNSET => {
            let lang = system_lang(|name| std::env::var(name).ok());
            set_lang(lang);
            lang
        }
        1 => Lang::En,
        _ => Lang::Ko,
    }
}

/// The system's language as Qt reads it for the window: the first of `LANGUAGE` (a
/// list), `LC_ALL`, `LC_MESSAGES` and `LANG` that is set; Korean for `ko...`, else
/// English.
pub fn system_lang(var: impl Fn(&str) -> Option<String>) -> Lang {
    let first_set = ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(var)
        .find_map(|value| {
            value
                .split(':')
                .map(str::trim)
                .find(|part| !part.is_empty())
                .map(str::to_string)
        });
    match first_set {
        Some(value) if value.starts_with("ko") => Lang::Ko,
        _ => Lang::En,
    }
}

/// A value for a message's placeholder.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Number(f64),
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_string())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl From<&String> for Value {
    fn from(text: &String) -> Self {
        Value::Text(text.clone())
    }
}

macro_rules! number_values {
    ($($num:ty)+) => {$(
        impl From<$num> for Value {
            fn from(n: $num) -> Self {
                Value::Number(n as f64)
            }
        }
        impl From<&$num> for Value {
            fn from(n: &$num) -> Self {
                Value::Number(*n as f64)
            }
        }
    )+};
}
number_values!(u16 u32 u64 usize i32);

/// The sentence `id` in the run's language with its placeholders filled in, as
/// `tr!("id", name = value, ...)`: for the front ends' own sentences (`--help`, the
/// settings file, the terminal's words).
#[macro_export]
macro_rules! tr {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::text($id, &[$((stringify!($name), $crate::i18n::Value::from($value))),*])
    };
}

/// The sentence `id` as `speech` says it, as `say!(speech, "id", name = value, ...)`.
#[macro_export]
macro_rules! say {
    ($speech:expr, $id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $speech.text($id, &[$((stringify!($name), $crate::i18n::Value::from($value))),*])
    };
}

/// The sentence `id` in the run's language (English where Korean lacks it) with
/// `args` in its placeholders. Use [`tr!`](crate::tr).
pub fn text(id: &str, args: &[(&str, Value)]) -> String {
    text_in(lang(), id, args)
}

/// [`text`] in `lang`, with the window's words.
pub fn text_in(lang: Lang, id: &str, args: &[(&str, Value)]) -> String {
    text_for(
        Speech {
            lang,
            ui: FrontEnd::Window,
        },
        id,
        args,
    )
}

/// [`text`] as `speech` says it.
pub fn text_for(speech: Speech, id: &str, args: &[(&str, Value)]) -> String {
    let lang = speech.lang;
    let mut fluent_args = FluentArgs::with_capacity(args.len() + 1);
    fluent_args.set(
        "ui",
        match speech.ui {
            FrontEnd::Window => "window",
            FrontEnd::Terminal => "terminal",
        },
    );
    for (name, value) in args {
        let value = match value {
            Value::Text(text) => FluentValue::from(text.as_str()),
            Value::Number(n) => FluentValue::from(*n),
        };
        fluent_args.set(*name, value);
    }
    let [english, korean] = bundles();
    let order = match lang {
        Lang::Ko => [korean, english],
        Lang::En => [english, english],
    };
    for bundle in order {
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            debug_assert!(errors.is_empty(), "{id}: {errors:?}");
            return text.into_owned();
        }
    }
    debug_assert!(false, "no message {id} in the catalog");
    id.to_string()
}

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static [Bundle; 2] {
    /// The two catalogs, parsed once a process: a cache of constant text, the same for
    /// every caller, so nothing is hidden by keeping it process-wide.
    static BUNDLES: OnceLock<[Bundle; 2]> = OnceLock::new();
    BUNDLES.get_or_init(|| [bundle("en", ENGLISH), bundle("ko", KOREAN)])
}

fn bundle(locale: &str, source: &'static str) -> Bundle {
    let locale = locale.parse().expect("a language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![locale]);
    // No Unicode isolation marks around placeholders: the log is plain text.
    bundle.set_use_isolating(false);
    // A catalog with a syntax error keeps the messages it could read (a test fails on it).
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(res, _)| res);
    let _ = bundle.add_resource(resource);
    bundle
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast;
    use std::collections::{BTreeMap, BTreeSet};

    /// Each message of a catalog, with the variables it uses.
    fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
        let resource = fluent_syntax::parser::parse(source)
            .unwrap_or_else(|(_, errors)| panic!("the catalog does not parse: {errors:?}"));
        let mut found = BTreeMap::new();
        for entry in resource.body {
            match entry {
                ast::Entry::Message(message) => {
                    let mut vars = BTreeSet::new();
                    if let Some(pattern) = &message.value {
                        pattern_vars(pattern, &mut vars);
                    }
                    assert!(
                        message.attributes.is_empty(),
                        "{}: no attributes",
                        message.id.name
                    );
                    found.insert(message.id.name.to_string(), vars);
                }
                ast::Entry::Term(term) => panic!("-{}: terms are not used", term.id.name),
                ast::Entry::Junk { content } => panic!("not Fluent: {content}"),
                _ => {}
            }
        }
        found
    }

    fn pattern_vars(pattern: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_vars(expression, vars);
            }
        }
    }

    fn expression_vars(expression: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
        match expression {
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, vars);
                for variant in variants {
                    pattern_vars(&variant.value, vars);
                }
            }
            ast::Expression::Inline(inline) => inline_vars(inline, vars),
        }
    }

    fn inline_vars(inline: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                vars.insert(id.name.to_string());
            }
            ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
            _ => {}
        }
    }

    #[test]
    fn every_message_has_its_korean_with_the_same_placeholders() {
        let english = messages(ENGLISH);
        let korean = messages(KOREAN);
        let missing: Vec<&String> = english
            .keys()
            .filter(|id| !korean.contains_key(*id))
            .collect();
        assert!(
            missing.is_empty(),
            "no Korean in src/i18n/ko.ftl for {missing:?}"
        );
        let extra: Vec<&String> = korean
            .keys()
            .filter(|id| !english.contains_key(*id))
            .collect();
        assert!(extra.is_empty(), "Korean for no English message: {extra:?}");
        for (id, vars) in &english {
            let theirs: BTreeSet<&String> = korean[id].iter().filter(|v| *v != "ui").collect();
            let ours: BTreeSet<&String> = vars.iter().filter(|v| *v != "ui").collect();
            assert_eq!(theirs, ours, "{id}: the Korean uses other placeholders");
        }
    }

    #[test]
    fn every_korean_message_is_korean() {
        let hangul = |c: char| ('\u{AC00}'..='\u{D7A3}').contains(&c);
        for (id, _) in messages(KOREAN) {
            let text = sample(Lang::Ko, &id);
            assert!(text.chars().any(hangul), "{id} is not Korean: {text}");
            assert_ne!(text, sample(Lang::En, &id), "{id}");
        }
    }

    /// `id` in `lang`, with a sample value in each placeholder.
    fn sample(lang: Lang, id: &str) -> String {
        let vars = &messages(ENGLISH)[id];
        let args: Vec<(&str, Value)> = vars
            .iter()
            .filter(|v| *v != "ui")
            .map(|v| (v.as_str(), Value::Number(2.0)))
            .collect();
        text_in(lang, id, &args)
    }

    /// The message names written as `tr!("name"` or `say!(speech, "name"` in the sources
    /// under `src/`.
    fn asked_for() -> BTreeSet<String> {
        fn walk(dir: &std::path::Path, out: &mut BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.ends_with("src/i18n/mod.rs") {
                    continue; // the mechanism, not a user of it
                } else if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let source = std::fs::read_to_string(&path).unwrap();
                    // `say!(self, "name"`: the name after the speech.
                    let source = source.replace("say!(", "tr!(");
                    let mut pieces = source.split("tr!(");
                    let mut before = pieces.next().unwrap_or_default();
                    for rest in pieces {
                        let whole_word =
                            !before.ends_with(|c: char| c.is_alphanumeric() || c == '_');
                        let rest = rest.trim_start();
                        let rest = rest.strip_prefix("self,").unwrap_or(rest);
                        if let Some(rest) = rest.trim_start().strip_prefix('"') {
                            if whole_word {
                                out.insert(rest.split('"').next().unwrap().to_string());
                            }
                        }
                        before = rest;
                    }
                }
            }
        }
        let mut out = BTreeSet::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut out,
        );
        out
    }

    #[test]
    fn every_message_the_code_asks_for_is_in_the_catalog_and_no_other() {
        let english = messages(ENGLISH);
        let asked = asked_for();
        let missing: Vec<&String> = asked
            .iter()
            .filter(|id| !english.contains_key(*id))
            .collect();
        assert!(missing.is_empty(), "not in src/i18n/en.ftl: {missing:?}");
        // `--help`'s words are asked for by the argument's name (see cli.rs).
        let unused: Vec<&String> = english
            .keys()
            .filter(|id| !asked.contains(*id) && !id.starts_with("help-"))
            .collect();
        assert!(unused.is_empty(), "asked for nowhere: {unused:?}");
    }

    #[test]
    fn the_language_is_the_first_the_system_sets() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(system_lang(env(&[("LANG", "ko_KR.UTF-8")])), Lang::Ko);
        assert_eq!(system_lang(env(&[("LANG", "C.UTF-8")])), Lang::En);
        assert_eq!(system_lang(env(&[])), Lang::En);
        assert_eq!(
            system_lang(env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "ko_KR.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            system_lang(env(&[("LC_MESSAGES", "ko_KR.UTF-8"), ("LANG", "C")])),
            Lang::Ko
        );
        assert_eq!(
            system_lang(env(&[("LANGUAGE", "ko:en"), ("LANG", "en_GB.UTF-8")])),
            Lang::Ko
        );
        assert_eq!(
            system_lang(env(&[("LANGUAGE", ""), ("LANG", "ko_KR.UTF-8")])),
            Lang::Ko
        );
    }

    #[test]
    fn placeholders_are_filled_without_marks_around_them() {
        let text = text_in(
            Lang::En,
            "error-port-in-use",
            &[("port", Value::from(5000u16))],
        );
        assert_eq!(
            text,
            "port 5000 is already in use: close the program using it, or choose another port"
        );
        let text = text_in(
            Lang::Ko,
            "error-port-in-use",
            &[("port", Value::from(5000u16))],
        );
        assert!(text.starts_with("포트 5000번은"), "{text}");
    }
}
