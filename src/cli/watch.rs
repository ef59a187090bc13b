//! `hunch watch`: what hunch sees, live, on a terminal (the view is [`hunch::live`]).
//!
//! Against the running monitor when one answers on the control socket; otherwise, or with
//! `--source`, a daemon of its own — the same chain and policy as `hunch run` — on the
//! camera or the recording, journaling to a throwaway file and notifying no one. On a
//! terminal the full-screen view until `q`; into a pipe or a file, one plain line per
//! frame (a closed pipe ends it quietly, status 0). `NO_COLOR` is respected.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use hunch::control::command::Command;
use hunch::control::{request, socket_path, ControlError};
use hunch::daemon::session::NoSession;
use hunch::daemon::{Daemon, Parts, Settings, StopReason};
use hunch::live::{plain_line, Feed, Next, Quiet, REFRESH};
use hunch::monitor::Monitor;
use hunch::posture::Calibration;

/// What a live view (`hunch watch`, `hunch window`) looks at.
#[derive(Debug, Args)]
pub struct ViewSource {
    /// A recording (directory of frames or one image) instead of the camera or the
    /// running monitor.
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,
    /// With --source: replay N times faster than recorded.
    #[arg(long, requires = "source", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub speed: Option<u16>,
}

impl ViewSource {
    /// The running monitor's control socket, when no recording was asked for and a
    /// monitor answers there; `None` means the view runs a daemon of its own.
    pub(super) fn monitor(&self) -> anyhow::Result<Option<PathBuf>> {
        let sock = socket_path()?;
        let answers = self.source.is_none()
            && !matches!(
                request(&sock, &Command::Live),
                Err(ControlError::NotRunning(_))
            );
        Ok(answers.then_some(sock))
    }
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub view: ViewSource,
    #[command(flatten)]
    pub engine: super::EngineArgs,
}

pub fn run(args: WatchArgs) -> anyhow::Result<ExitCode> {
    let stop = super::run::stop_on_signals()?;
    let (mut feed, label, tmp) = if let Some(sock) = args.view.monitor()? {
        (Feed::monitor(sock), "the running monitor".to_string(), None)
    } else {
        let (daemon, tmp) = own_daemon(&args.engine, &args.view, "hunch-watch")?;
        let label = format!("{} (hunch watch's own)", daemon.source_id());
        (Feed::own(daemon), label, Some(tmp))
    };
    let result = if std::io::stdout().is_terminal() {
        let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        hunch::live::screen(&mut feed, &label, colour, &stop)
            .map(|()| ExitCode::SUCCESS)
            .map_err(anyhow::Error::from)
    } else {
        lines(&mut feed, &stop)
    };
    let reason = feed.ended().unwrap_or(StopReason::Signal);
    if let Some(daemon) = feed.into_daemon() {
        drop(daemon.finish(reason));
    }
    if let Some(tmp) = tmp {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// A daemon like `hunch run`'s on the camera or the view's recording, journaling to a temporary
/// directory (returned; `prefix` names it) and notifying no one.
pub(super) fn own_daemon(
    engine: &super::EngineArgs,
    view: &ViewSource,
    prefix: &str,
) -> anyhow::Result<(Daemon, PathBuf)> {
    let config = super::load_config()?;
    let calibration = Calibration::load(&Calibration::default_path()?)?;
    let (source, clock) =
        super::run::source_and_clock(&config, view.source.as_deref(), false, view.speed)?;
    let monitor = Monitor::new(
        engine.engine()?,
        calibration.neutral,
        config.posture,
        config.filter,
        config.policy,
    );
    let tmp = super::run::private_tempdir(prefix)?;
    let journal = super::journal::monitor(Some(&tmp.join("journal.sqlite")))?;
    let (_tx, commands) = std::sync::mpsc::channel();
    let daemon = Daemon::new(Parts {
        source,
        clock,
        monitor,
        notifier: Box::new(Quiet),
        journal,
        session: Box::new(NoSession),
        commands,
        settings: Settings::from_config(
            &config,
            Some((calibration, engine.model.as_str().to_string())),
        ),
    })?;
    Ok((daemon, tmp))
}

/// Without a terminal: one line per frame, until the source ends, the monitor stops, or
/// the reader goes away (a closed pipe: quietly, status 0, after cleaning up).
fn lines(feed: &mut Feed, stop: &AtomicBool) -> anyhow::Result<ExitCode> {
    let mut last_frame = None;
    let mut out = std::io::stdout().lock();
    while !stop.load(Ordering::Relaxed) {
        match feed.next(REFRESH)? {
            Next::View(v, _) => {
                let key = (v.live.frame_wall_ms, v.state);
                if last_frame != Some(key) {
                    last_frame = Some(key);
                    let line = plain_line(&v, feed.today());
                    match writeln!(out, "{line}").and_then(|()| out.flush()) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => break,
                        Err(e) => anyhow::bail!("cannot write the output: {e}"),
                    }
                }
            }
            Next::Gone(why) => {
                eprintln!("hunch watch: {why}");
                return Ok(ExitCode::from(1));
            }
        }
        if feed.ended().is_some() {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}
