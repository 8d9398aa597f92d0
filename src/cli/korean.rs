//! Clap's own words in Korean, for `tcp-chat --lang ko --help`.

use crate::tr;

/// Clap's own words (headings, defaults, the help and version flags) in Korean; the
/// arguments' help is the catalog's already.
pub(super) fn in_korean(command: clap::Command) -> clap::Command {
    use clap::{Arg, ArgAction};
    let options = tr!("help-options");
    let options = options.trim_end_matches(':').to_string();
    let (default, values) = (tr!("help-default"), tr!("help-values"));
    command
        .help_template(format!(
            "{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
            tr!("help-usage")
        ))
        .override_usage(format!("tcp-chat [{options}]"))
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(tr!("help-help")),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(tr!("help-version")),
        )
        .mut_args(|arg| {
            let mut help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            let defaults: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            if !defaults.is_empty() {
                help.push_str(&format!(" [{default}: {}]", defaults.join(", ")));
            }
            let possible: Vec<String> = if !arg.get_action().takes_values() {
                Vec::new() // a flag: true and false go without saying
            } else {
                arg.get_possible_values()
                    .iter()
                    .filter(|v| !v.is_hide_set())
                    .map(|v| match v.get_help() {
                        Some(what) => format!("{} ({what})", v.get_name()),
                        None => v.get_name().to_string(),
                    })
                    .collect()
            };
            if !possible.is_empty() && !arg.is_hide_possible_values_set() {
                help.push_str(&format!(" [{values}: {}]", possible.join(", ")));
            }
            let arg = arg.help(help).help_heading(options.clone());
            if arg.get_action().takes_values() {
                arg.hide_default_value(true).hide_possible_values(true)
            } else {
                arg
            }
        })
}
