//! `hunch generate`: shell completions and man pages, made from the very clap definitions
//! the binary parses, so they cannot drift from the real options. The packaging scripts
//! call it, and so may anyone who wants completions for a shell or a prefix the packages
//! do not cover. (It is not hidden: clap_complete offers hidden subcommands anyway.)
//!
//! A subcommand rather than a build script: the definitions live in the binary's
//! `cli` module and name library types, which a build script (run before the crate is
//! compiled) cannot see; and an every-build side effect would write man pages on each
//! `cargo build` for no one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, Subcommand};
use clap_complete::Shell;

#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Write a completion script for SHELL to stdout, or into DIR (as hunch.bash, _hunch,
    /// hunch.fish…).
    Completions {
        /// The shell the script is for.
        #[arg(value_enum)]
        shell: Shell,
        /// Write the script into this directory (default: standard output).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write hunch.1 and one page per subcommand (hunch-run.1, hunch-service-install.1…)
    /// into DIR.
    Man {
        /// The directory for the pages (created if missing).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

/// The FILES, ENVIRONMENT and SEE ALSO sections of hunch(1), in roff; `--help` leaves
/// them out (the README has them).
const MAN_SECTIONS: &str = r#".SH FILES
.TP
\fI$XDG_CONFIG_HOME/hunch/config.toml\fR
settings (\fBhunch config\fR prints them with their defaults)
.TP
\fI$XDG_CONFIG_HOME/hunch/calibration.toml\fR
your neutral posture (\fBhunch calibrate\fR)
.TP
\fI$XDG_DATA_HOME/hunch/journal.sqlite\fR
the journal that \fBhunch report\fR reads: numbers only, no frames
.TP
\fI$XDG_RUNTIME_DIR/hunch/\fR
the control socket and the instance lock
.TP
\fI/usr/share/hunch/models\fR, \fI~/.local/share/hunch/models\fR
the BlazePose models
.TP
\fI/usr/lib/hunch\fR, \fI~/.local/lib/hunch\fR
ONNX Runtime (libonnxruntime.so.1.31.1)
.TP
\fI/usr/lib/systemd/user/hunch.service\fR, \fI/etc/xdg/autostart/hunch.desktop\fR
the packaged user service and autostart entry
.SH ENVIRONMENT
.TP
\fBHUNCH_LOG\fR
log level: error, warn, info (the default) or debug
.TP
\fBORT_DYLIB_PATH\fR
the ONNX Runtime library to load, like \fB\-\-ort\-lib\fR
.TP
\fBNO_COLOR\fR
no colour in reports
.SH SEE ALSO
\fBhunch\-doctor\fR(1) checks all of the above and says what to fix;
\fBhunch\-run\fR(1), \fBhunch\-calibrate\fR(1), \fBhunch\-report\fR(1).
"#;

pub fn run(cmd: GenerateCommand) -> anyhow::Result<ExitCode> {
    let mut cli = super::Cli::command();
    match cmd {
        GenerateCommand::Completions { shell, dir: None } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cli, "hunch", &mut buf);
            out!("{}", String::from_utf8_lossy(&buf));
        }
        GenerateCommand::Completions {
            shell,
            dir: Some(dir),
        } => {
            create(&dir)?;
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cli, "hunch", &mut buf);
            let path = dir.join(clap_complete::Generator::file_name(&shell, "hunch"));
            hunch::support::files::write(&path, &buf, hunch::support::files::Mode::Public)
                .with_context(|| {
                    format!("cannot write {shell} completions into {}", dir.display())
                })?;
            outln!("{}", path.display());
        }
        GenerateCommand::Man { dir } => {
            create(&dir)?;
            let fail = || format!("cannot write man pages into {}", dir.display());
            let mut all = cli.clone().disable_help_subcommand(true);
            all.build();
            write_pages(&all, &dir).with_context(fail)?;
            // hunch(1) again, with the sections clap does not know.
            let man = clap_mangen::Man::new(cli.disable_help_subcommand(true));
            let mut page = Vec::new();
            man.render_title(&mut page)?;
            man.render_name_section(&mut page)?;
            man.render_synopsis_section(&mut page)?;
            man.render_description_section(&mut page)?;
            man.render_options_section(&mut page)?;
            man.render_subcommands_section(&mut page)?;
            page.extend_from_slice(MAN_SECTIONS.as_bytes());
            man.render_version_section(&mut page)?;
            hunch::support::files::write(
                &dir.join(man.get_filename()),
                &page,
                hunch::support::files::Mode::Public,
            )
            .with_context(fail)?;
            outln!("{}", dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One page per visible command, as `clap_mangen::generate_to` names them
/// (hunch-run.1…), each written 0644 by [`hunch::support::files`]' rules whatever the umask.
fn write_pages(cmd: &clap::Command, dir: &Path) -> anyhow::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir)?;
    }
    let man = clap_mangen::Man::new(cmd.clone());
    let mut page = Vec::new();
    man.render(&mut page)?;
    hunch::support::files::write(
        &dir.join(man.get_filename()),
        &page,
        hunch::support::files::Mode::Public,
    )?;
    Ok(())
}

fn create(dir: &Path) -> anyhow::Result<()> {
    hunch::platform::fs::create_public_dir(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}
