//! `hunch status`, `pause`, `resume`, `snooze`: one command to the running monitor.

use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use hunch::control::command::{Command, PauseFor, Reply, Status};
use hunch::control::{request, socket_path};
use hunch::support::human::{duration, percent};

#[derive(Debug, Args)]
pub struct DurationArg {
    /// How long: 90s, 30m, 1h, 1h30m, or minutes.
    #[arg(value_parser = super::duration)]
    pub duration: Option<f64>,
}

pub fn pause(d: DurationArg) -> anyhow::Result<ExitCode> {
    send(Command::Pause {
        length: d.duration.map_or(PauseFor::UntilResumed, PauseFor::Seconds),
    })
}

pub fn snooze(d: DurationArg) -> anyhow::Result<ExitCode> {
    send(Command::Snooze {
        seconds: d.duration,
    })
}

/// The status as `hunch status` prints it.
pub fn status_text(s: &Status) -> String {
    let angle = s
        .now
        .forward_deg
        .map_or("—".into(), |a| format!("{a:+.1}°"));
    let mut out = format!("state          {}\n", s.now.state);
    if s.now.paused {
        let until = s
            .now
            .paused_until_ms
            .map_or("until `hunch resume`".into(), |ms| {
                format!("until {}", hunch::support::human::clock_time(ms))
            });
        out += &format!("paused         {until}\n");
    }
    if let Some(ms) = s.now.snoozed_until_ms {
        out += &format!(
            "alerts snoozed until {}\n",
            hunch::support::human::clock_time(ms)
        );
    }
    out += &format!("head forward   {angle}\n");
    // The source and its trouble can name another program (from its process name):
    // shown escaped.
    out += &format!(
        "source         {}\n",
        hunch::support::human::printable(&s.now.source)
    );
    if let Some(why) = &s.now.source_trouble {
        out += &format!("source trouble {}\n", hunch::support::human::printable(why));
    }
    out += &format!(
        "today          {} hunched of {} monitored ({})\n",
        duration(s.today_hunched_s),
        duration(s.today_monitored_s),
        percent(s.today_hunched_share)
    );
    out += &format!(
        "camera         light on {} today; used by another app {}\n",
        duration(s.today_camera_open_s),
        duration(s.today_camera_in_use_s)
    );
    out += &format!("running for    {}\n", duration(s.uptime_seconds));
    out += &format!("samples        {}\n", s.samples);
    out += &format!("alerts         {}\n", s.alerts);
    out += &format!("stretches done {}\n", s.stretches_done);
    out
}

pub fn send(command: Command) -> anyhow::Result<ExitCode> {
    match request(&socket_path()?, &command)? {
        Reply::Status(s) => out!("{}", status_text(&s)),
        Reply::Live(s) => outln!("{}", serde_json::to_string(&s)?),
        // Only `hunch window` asks for the picture; nothing on the command line does.
        Reply::Sight(s) => outln!("a picture of {}x{} px", s.width, s.height),
        Reply::Ok { message } => outln!("{message}"),
        Reply::Error { message } => bail!("{message}"),
    }
    Ok(ExitCode::SUCCESS)
}
