//! The man page and the shell completions in `packaging/` are made from the command
//! line's own definition (clap): a change to an option that did not remake them fails
//! here. `TCP_CHAT_WRITE_DOCS=1 cargo test --test docs` remakes them.

mod common;

use clap::CommandFactory;
use clap_complete::Shell;
use std::path::Path;
use tcp_chat::cli::Cli;

/// The definition in English, whatever this machine's language.
fn english() -> clap::Command {
    tcp_chat::i18n::set_lang(tcp_chat::i18n::Lang::En);
    Cli::command()
}

fn man_page() -> Vec<u8> {
    let mut page = Vec::new();
    clap_mangen::Man::new(english())
        .section("1")
        .manual("tcp-chat manual")
        .render(&mut page)
        .unwrap();
    page
}

fn completion(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut english(), "tcp-chat", &mut script);
    script
}

/// Compares `made` with the committed file, or writes it when asked to.
fn matches_committed(path: &str, made: &[u8]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("TCP_CHAT_WRITE_DOCS").is_some() {
        std::fs::write(&path, made).unwrap();
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == made,
        "{} is not what the command line's definition makes now: run \
         TCP_CHAT_WRITE_DOCS=1 cargo test --test docs, and commit it",
        path.display()
    );
}

#[test]
fn the_man_page_is_made_from_the_command_line() {
    let page = man_page();
    let text = String::from_utf8_lossy(&page);
    for option in [
        "\\-\\-listen",
        "\\-\\-connect",
        "\\-\\-transcript",
        "\\-\\-version",
    ] {
        assert!(text.contains(option), "the man page lacks {option}");
    }
    matches_committed("packaging/tcp-chat.1", &page);
}

#[test]
fn the_shell_completions_are_made_from_the_command_line() {
    for (shell, path, listen) in [
        (
            Shell::Bash,
            "packaging/completions/tcp-chat.bash",
            "--listen",
        ),
        (Shell::Zsh, "packaging/completions/_tcp-chat", "--listen"),
        (
            Shell::Fish,
            "packaging/completions/tcp-chat.fish",
            "-l listen",
        ),
    ] {
        let script = completion(shell);
        assert!(
            String::from_utf8_lossy(&script).contains(listen),
            "{shell} completion lacks --listen"
        );
        matches_committed(path, &script);
    }
}

#[test]
fn the_desktop_entry_is_valid() {
    let entry = concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/tcp-chat.desktop");
    let Ok(out) = std::process::Command::new("desktop-file-validate")
        .arg(entry)
        .output()
    else {
        common::cannot_run("desktop-file-validate (package desktop-file-utils) is missing");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// docs/architecture.md's map names every file of `src/` (by its name under its folder's
/// line), so that the map of the code is never missing a file that exists.
#[test]
fn the_architecture_page_names_every_source_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    let map = page
        .split("## The files")
        .nth(1)
        .and_then(|rest| rest.split("```").nth(1))
        .expect("docs/architecture.md's \"The files\" opens with a map of the files");
    let mut files = Vec::new();
    let mut folders = vec![root.join("src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    assert!(files.len() > 10, "the walk sees src/'s files: {files:?}");
    let missing: Vec<_> = files
        .iter()
        .filter(|file| {
            let name = file.file_name().unwrap().to_str().unwrap();
            let parent = file.parent().unwrap().to_str().unwrap();
            // `src/main.rs` at the top; `  address.rs` under `src/engine/`.
            let top = format!("{}\n", file.to_str().unwrap());
            let under = map
                .split(&format!("{parent}/ "))
                .nth(1)
                .is_some_and(|section| {
                    section
                        .lines()
                        .skip(1)
                        .take_while(|l| l.starts_with("  "))
                        .any(|l| l.trim_start().starts_with(&format!("{name} ")))
                });
            !(under
                || map
                    .lines()
                    .any(|l| l.starts_with(top.trim_end()) && l.len() > top.len()))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/architecture.md's map of the code lacks {missing:?}"
    );
}

/// Every link from README and docs/ to another file of the project leads to a file that
/// exists, so that a page moved or renamed leaves no reader at a dead end.
#[test]
fn links_between_the_pages_lead_to_files_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    let mut links = 0;
    let mut dead = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        // A Markdown link or image: ](target), the target up to `)` or `#`.
        for part in text.split("](").skip(1) {
            let target = part.split([')', '#']).next().unwrap();
            if target.is_empty() || target.contains("://") {
                continue;
            }
            links += 1;
            if !page.parent().unwrap().join(target).exists() {
                dead.push(format!("{} -> {target}", page.display()));
            }
        }
    }
    // The pages do link to each other and to the screenshots: the walk sees them.
    assert!(links >= 8, "only {links} links found in {pages:?}");
    assert!(dead.is_empty(), "links to nothing: {dead:?}");
}
