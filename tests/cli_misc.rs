//! Small commands: `hunch service`, `hunch config`, and talking to a monitor that is not
//! running.

mod common;

use common::{hunch_in, tempdir as home};

fn hunch(args: &[&str], home: &std::path::Path) -> std::process::Output {
    hunch_in(home).args(args).output().unwrap()
}

#[test]
fn service_install_writes_a_unit_for_this_binary_and_uninstall_removes_it() {
    let h = home("svc");
    let o = hunch(&["service", "install"], &h);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let unit = h.join("config/systemd/user/hunch.service");
    let text = std::fs::read_to_string(&unit).unwrap();
    assert!(
        text.contains(&format!("ExecStart={} run", env!("CARGO_BIN_EXE_hunch"))),
        "{text}"
    );
    assert!(text.contains("WantedBy=graphical-session.target"));
    let o = hunch(&["service", "uninstall"], &h);
    assert!(o.status.success());
    assert!(!unit.exists());
}

#[test]
fn config_prints_defaults_and_rejects_bad_values_by_name() {
    let h = home("cfg");
    let o = hunch(&["config"], &h);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success()
            && out.contains("enter_deg = 6.0")
            && out.contains("cooldown_seconds = 900.0"),
        "{out}"
    );
    std::fs::create_dir_all(h.join("config/hunch")).unwrap();
    std::fs::write(
        h.join("config/hunch/config.toml"),
        "[filter]\nsustain_fraction = 2\n",
    )
    .unwrap();
    let o = hunch(&["config"], &h);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sustain_fraction"));
}

#[test]
fn control_commands_without_a_monitor_say_how_to_start_one() {
    let h = home("ctl");
    for args in [&["status"][..], &["pause", "30m"], &["resume"], &["snooze"]] {
        let o = hunch(args, &h);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("hunch is not running"),
            "{args:?}"
        );
    }
    let o = hunch(&["pause", "soon"], &h);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("like 90s, 30m"));
}
