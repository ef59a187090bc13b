//! `hunch service` on Windows: `install` adds hunch to the user's `Run` key (started at
//! every sign-in), `uninstall` removes it.

use std::process::ExitCode;

use anyhow::Context;
use hunch::platform::login::{remove, set, RUN};

use super::ServiceCommand;

const NAME: &str = "hunch";

pub fn run(cmd: ServiceCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ServiceCommand::Install => {
            let exe = std::env::current_exe().context("cannot find hunch.exe's path")?;
            let command = format!("\"{}\" run", exe.display());
            set(RUN, NAME, &command).context("cannot write the Run key")?;
            outln!("hunch starts at every sign-in now (HKCU\\{RUN}: {command})");
        }
        ServiceCommand::Uninstall => {
            if remove(RUN, NAME).context("cannot change the Run key")? {
                outln!("hunch no longer starts at sign-in");
            } else {
                outln!("hunch was not set to start at sign-in; nothing to do");
            }
        }
        ServiceCommand::Autostart => {
            // The XDG autostart entry's command: nothing of the kind on Windows.
            outln!("on Windows, `hunch service install` starts hunch at sign-in");
        }
    }
    Ok(ExitCode::SUCCESS)
}
