//! Tests of the comparison: planted and absent associations, the false-positive rate and
//! the p-value distribution under the null, the refusal below the minimum, reproducibility,
//! the definitions of the interval and the p-value, and the edge cases.

use std::sync::OnceLock;

use jiff::civil::{date, Date};
use jiff::Span;

use super::*;
use crate::diary::rng;

const HOURS4: f64 = 14_400.0;

pub(crate) fn d(i: i64) -> Date {
    date(2026, 1, 5).checked_add(Span::new().days(i)).unwrap()
}

pub(crate) fn window(first: i64, last: i64) -> DiaryWindow {
    DiaryWindow {
        first: d(first),
        last: d(last),
    }
}

pub(crate) fn day(i: i64, share: f64) -> DayPosture {
    DayPosture {
        date: d(i),
        monitored_s: HOURS4,
        hunched_s: share * HOURS4,
    }
}

pub(crate) fn ache(i: i64, intensity: u8) -> DiaryDay {
    DiaryDay {
        date: d(i),
        intensity,
    }
}

fn est(c: &Contrast) -> Difference {
    *c.difference()
        .unwrap_or_else(|| panic!("no estimate: {c:?}"))
}

fn findings(c: &DiaryComparison) -> &Findings {
    match &c.outcome {
        Outcome::Compared(f) => f,
        Outcome::NotEnough(n) => panic!("not enough: {n:?}"),
    }
}

/// 32 days (0–31); headaches on 3, 10, 17, 24, 31; the days before them (2, 9, 16, 23,
/// 30) hunched 50%; headache days 25% or 37.5% (mean 30%); the 20 headache-free days
/// 6.25%, 12.5% or 18.75% (mean 12.5%). Day 0 is monitored only 30 min and day 1 has a
/// broken figure: neither is eligible. Day 4 comes as two rows. Plus noise that must be
/// ignored: a day and an entry outside the window, an intensity-0 entry, a second entry
/// on day 10.
pub(crate) fn planted() -> (Vec<DayPosture>, Vec<DiaryDay>, DiaryWindow) {
    let headache = [3, 10, 17, 24, 31];
    let mut days = vec![
        DayPosture {
            date: d(0),
            monitored_s: 1800.0,
            hunched_s: 1800.0,
        },
        DayPosture {
            date: d(1),
            monitored_s: HOURS4,
            hunched_s: f64::NAN,
        },
        // Outside the window, wildly hunched: must not count.
        day(35, 1.0),
    ];
    let cycle = [0.0625, 0.125, 0.1875, 0.125];
    let mut free = 0;
    for i in 2..32 {
        if headache.contains(&i) {
            days.push(day(i, if i % 2 == 1 { 0.25 } else { 0.375 }));
        } else if headache.contains(&(i + 1)) {
            days.push(day(i, 0.5));
        } else if i == 4 {
            // Two rows of one date: summed to 4 h at 6.25%.
            let half = DayPosture {
                date: d(4),
                monitored_s: HOURS4 / 2.0,
                hunched_s: 0.0625 * HOURS4 / 2.0,
            };
            days.push(half);
            days.push(half);
            free += 1;
        } else {
            days.push(day(i, cycle[free % 4]));
            free += 1;
        }
    }
    assert_eq!(free, 20);
    let mut aches: Vec<DiaryDay> = headache.iter().map(|&i| ache(i, 6)).collect();
    aches.push(ache(10, 8));
    aches.push(ache(6, 0));
    aches.push(ache(40, 9));
    (days, aches, window(0, 31))
}

#[test]
fn planted_association_gives_the_known_figures_and_a_small_p() {
    let (days, aches, w) = planted();
    let c = compare(&days, &aches, w, &CompareOptions::default());
    assert_eq!(c.eligible_days, 30);
    assert_eq!(
        (c.headache_days, c.day_before_days, c.headache_free_days),
        (5, 5, 20)
    );
    assert_eq!(c.unclassified_days, 0);
    assert_eq!(c.diary_headache_days, 5);
    assert_eq!(c.entries_outside_window, 1);
    assert_eq!(c.caveats, CAVEATS);
    let f = findings(&c);
    // Shares 0.25 ×3 and 0.375 ×2: sum 1.5, mean 0.3 (correctly rounded).
    assert_eq!(f.headache.mean_share, Some(0.3));
    assert_eq!(f.day_before.mean_share, Some(0.5));
    assert_eq!(f.headache_free.mean_share, Some(0.125));
    assert_eq!(f.headache.monitored_s, 5.0 * HOURS4);
    assert_eq!(f.headache_free.days, 20);
    assert_eq!(
        c.days.iter().find(|x| x.date == d(10)).unwrap().intensity,
        8
    );

    let h = est(&f.headache_vs_free);
    assert!((h.estimate - 0.175).abs() < 1e-15, "{h:?}");
    // Only the observed labelling (1 in C(25,5) = 53130) is as extreme.
    assert!(h.p_value < 0.001, "{h:?}");
    assert!(h.p_value >= 1.0 / 10_001.0);
    assert!(
        0.0 < h.ci_low && h.ci_low < h.estimate && h.estimate < h.ci_high,
        "{h:?}"
    );
    // The interval cannot go beyond the most extreme resample: max H − min F.
    assert!(
        h.ci_high <= 0.375 - 0.0625 && h.ci_low >= 0.25 - 0.1875,
        "{h:?}"
    );

    let b = est(&f.before_vs_free);
    assert!((b.estimate - 0.375).abs() < 1e-15, "{b:?}");
    assert!(b.p_value < 0.001, "{b:?}");
    // Every "day before" is 0.5, so the interval is 0.5 minus F's bootstrap means.
    assert!(b.ci_low > 0.3 && b.ci_high < 0.45, "{b:?}");
    assert_eq!(b.resamples, 10_000);
}

#[test]
fn headaches_after_low_hunch_days_are_found_too_two_sided() {
    // Mirror image: the days before a headache are the least hunched.
    let (mut days, aches, w) = planted();
    for p in &mut days {
        if p.monitored_s.is_finite() && p.hunched_s.is_finite() {
            p.hunched_s = p.monitored_s - p.hunched_s;
        }
    }
    let c = compare(&days, &aches, w, &CompareOptions::default());
    let b = est(&findings(&c).before_vs_free);
    assert!((b.estimate + 0.375).abs() < 1e-15, "{b:?}");
    assert!(b.p_value < 0.001, "{b:?}");
    assert!(b.ci_high < 0.0, "{b:?}");
}

#[test]
fn groups_with_the_same_days_give_zero_and_p_one() {
    // Headache, day-before and headache-free days each hold shares 0.1, 0.2, 0.3 in
    // equal proportion: no association at all.
    let shares = [0.1, 0.2, 0.3];
    let mut days = Vec::new();
    let mut aches = Vec::new();
    // Blocks of 5 days: B H F F F; 6 blocks = 30 days, the last day F (unclassified).
    for block in 0..6 {
        let s = shares[block % 3];
        for k in 0..5 {
            let i = (block * 5 + k) as i64;
            days.push(day(i, s));
            if k == 1 {
                aches.push(ache(i, 5));
            }
        }
    }
    let c = compare(&days, &aches, window(0, 29), &CompareOptions::default());
    assert_eq!(
        (
            c.headache_days,
            c.day_before_days,
            c.headache_free_days,
            c.unclassified_days
        ),
        (6, 6, 17, 1)
    );
    let f = findings(&c);
    assert_eq!(f.headache.mean_share, f.day_before.mean_share);
    let h = est(&f.headache_vs_free);
    let b = est(&f.before_vs_free);
    // F lacks the one unclassified 0.3 day, so its mean is a shade under 0.2.
    assert!(
        h.estimate.abs() < 0.01 && b.estimate.abs() < 0.01,
        "{h:?} {b:?}"
    );
    assert!(h.p_value > 0.5 && b.p_value > 0.5, "{h:?} {b:?}");
    assert!(h.ci_low < 0.0 && 0.0 < h.ci_high, "{h:?}");
}

#[test]
fn shuffled_headache_days_are_not_significant() {
    // The planted posture days, with the five headaches moved to days drawn at random.
    let (days, _, w) = planted();
    let mut g = rng::SplitMix64::new(2026);
    let mut picked: Vec<i64> = Vec::new();
    while picked.len() < 5 {
        let i = 2 + g.below(30) as i64;
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    let aches: Vec<DiaryDay> = picked.iter().map(|&i| ache(i, 5)).collect();
    let c = compare(&days, &aches, w, &CompareOptions::default());
    let f = findings(&c);
    let h = est(&f.headache_vs_free);
    assert!(h.p_value > 0.05, "{picked:?}: {h:?}");
    assert!(h.ci_low < 0.0 && 0.0 < h.ci_high, "{h:?}");
    if let Some(b) = f.before_vs_free.difference() {
        assert!(b.p_value > 0.05, "{picked:?}: {b:?}");
    }
}

/// One synthetic diary where posture and headaches are independent: 60 days, shares the
/// product of two uniforms (skewed toward small, like real days), 4 in 40 days monitored
/// under an hour, each day a headache with probability 0.2.
fn null_diary(g: &mut rng::SplitMix64) -> (Vec<DayPosture>, Vec<DiaryDay>) {
    let mut days = Vec::new();
    let mut aches = Vec::new();
    for i in 0..60 {
        let monitored = if g.below(10) == 0 {
            1800.0
        } else {
            3600.0 + 25_200.0 * g.unit()
        };
        let share = g.unit() * g.unit();
        days.push(DayPosture {
            date: d(i),
            monitored_s: monitored,
            hunched_s: share * monitored,
        });
        if g.below(5) == 0 {
            aches.push(ache(i, 1 + g.below(10) as u8));
        }
    }
    (days, aches)
}

pub(crate) const NULL_DIARIES: usize = 400;

struct NullRun {
    /// p-values of H − F and of B − F, one per diary where the contrast was estimated.
    p_h: Vec<f64>,
    p_b: Vec<f64>,
    /// Diaries whose 95% interval (H − F) excluded 0.
    ci_miss_h: usize,
}

/// The null simulation, run once and shared by the tests that look at it.
fn null_run() -> &'static NullRun {
    static RUN: OnceLock<NullRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let mut g = rng::SplitMix64::new(0x5eed);
        let opts = CompareOptions {
            resamples: 999,
            ..CompareOptions::default()
        };
        let mut run = NullRun {
            p_h: Vec::new(),
            p_b: Vec::new(),
            ci_miss_h: 0,
        };
        for k in 0..NULL_DIARIES {
            let (days, aches) = null_diary(&mut g);
            let c = compare(
                &days,
                &aches,
                window(0, 59),
                &CompareOptions {
                    seed: k as u64,
                    ..opts
                },
            );
            let Outcome::Compared(f) = &c.outcome else {
                continue;
            };
            if let Some(h) = f.headache_vs_free.difference() {
                run.p_h.push(h.p_value);
                if h.ci_low > 0.0 || h.ci_high < 0.0 {
                    run.ci_miss_h += 1;
                }
            }
            if let Some(b) = f.before_vs_free.difference() {
                run.p_b.push(b.p_value);
            }
        }
        run
    })
}

/// Under the null the permutation test rejects at 0.05 with probability exactly
/// 50/1000 = 0.05 (R = 999, continuous shares), so the count of rejections among ~400
/// diaries is Binomial(400, 0.05): mean 20, sd 4.4. The accepted band 0.025–0.08
/// (10–32 of 400) is about −2.3 to +2.8 sd: a correct test fails it with probability
/// under 1.5%, while a test that ignored the shuffle (rate 0) or leaked the labels
/// (rate well above 0.1) cannot pass.
#[test]
fn null_diaries_false_positive_rate_is_about_five_percent() {
    let run = null_run();
    assert!(
        run.p_h.len() >= 390 && run.p_b.len() >= 390,
        "{} {}",
        run.p_h.len(),
        run.p_b.len()
    );
    let rate = |ps: &[f64]| ps.iter().filter(|&&p| p <= 0.05).count() as f64 / ps.len() as f64;
    let (rh, rb) = (rate(&run.p_h), rate(&run.p_b));
    let ci_miss = run.ci_miss_h as f64 / run.p_h.len() as f64;
    println!(
        "false-positive rate at 0.05 over {} null diaries: headache − free {rh:.4}, day before − free {rb:.4}; 95% CI excluding 0: {ci_miss:.4}",
        run.p_h.len()
    );
    assert!((0.025..=0.08).contains(&rh), "headache − free: {rh}");
    assert!((0.025..=0.08).contains(&rb), "day before − free: {rb}");
    // The percentile bootstrap is known to under-cover a little with small groups
    // (here ~12 headache days); it must still miss 0 far less than 1 time in 8.
    assert!(ci_miss <= 0.125, "{ci_miss}");
}

/// Under the null the p-value is uniform on its grid {1, …, 1000}/1000: ten bins of width
/// 0.1 each hold exactly 10% of it. Pearson's χ² with 9 degrees of freedom stays under
/// 27.88 with probability 0.999.
#[test]
fn null_p_values_are_roughly_uniform() {
    let run = null_run();
    for ps in [&run.p_h, &run.p_b] {
        let mut bins = [0usize; 10];
        for &p in ps.iter() {
            // (0, 0.1] → 0, …, (0.9, 1] → 9.
            let b = ((p * 10.0).ceil() as usize).clamp(1, 10) - 1;
            bins[b] += 1;
        }
        let expected = ps.len() as f64 / 10.0;
        let chi2: f64 = bins
            .iter()
            .map(|&o| (o as f64 - expected).powi(2) / expected)
            .sum();
        println!("p-value histogram {bins:?}, χ² = {chi2:.2}");
        assert!(chi2 < 27.88, "{bins:?} χ² = {chi2}");
        // And no bin is empty or holds more than twice its share.
        assert!(
            bins.iter().all(|&o| o > 0 && (o as f64) < 2.0 * expected),
            "{bins:?}"
        );
    }
}

/// The other side of the false-positive rate: with realistic day-to-day noise (the null
/// diaries above) and the day before each headache made 25 points more hunched, the test
/// must find it in most diaries. With ~9 eligible days before a headache, ~35
/// headache-free days and a day-to-day sd of 0.22, the standard error is about 0.084 and
/// the expected power at 0.05 about 0.85 (measured: 0.79 of these 100); requiring 0.7
/// leaves room for noise (the sd of the rate over 100 diaries is 0.04) and still fails a
/// test that has lost its power (for example by shuffling the observed labels too).
#[test]
fn a_real_difference_in_noisy_days_is_usually_found() {
    let mut g = rng::SplitMix64::new(0xbeef);
    let (mut found, mut runs) = (0, 0);
    for k in 0..100 {
        let (mut days, aches) = null_diary(&mut g);
        for p in &mut days {
            let next = p.date.tomorrow().unwrap();
            if aches.iter().any(|a| a.date == next) && !aches.iter().any(|a| a.date == p.date) {
                p.hunched_s = (p.hunched_s + 0.25 * p.monitored_s).min(p.monitored_s);
            }
        }
        let c = compare(
            &days,
            &aches,
            window(0, 59),
            &CompareOptions {
                seed: k,
                resamples: 499,
                ..CompareOptions::default()
            },
        );
        let Outcome::Compared(f) = &c.outcome else {
            continue;
        };
        if let Some(b) = f.before_vs_free.difference() {
            runs += 1;
            found += usize::from(b.p_value <= 0.05 && b.estimate > 0.0);
        }
    }
    let power = found as f64 / runs as f64;
    println!("power at 0.05 for +25 points on the day before: {found}/{runs} = {power:.2}");
    assert!(runs >= 95 && power >= 0.7, "{found}/{runs}");
}

#[test]
fn below_the_minimum_it_refuses_and_says_how_many_more() {
    // 10 eligible days, 2 headache days.
    let days: Vec<DayPosture> = (0..10).map(|i| day(i, 0.2)).collect();
    let aches = [ache(3, 5), ache(7, 5), ache(20, 5)];
    let c = compare(&days, &aches, window(0, 20), &CompareOptions::default());
    assert_eq!(
        c.outcome,
        Outcome::NotEnough(NotEnough {
            eligible_days: 10,
            headache_days: 2,
            min_days: 14,
            min_headache_days: 3,
            more_days_needed: 4,
            more_headache_days_needed: 1,
        })
    );
    // A headache on an unmonitored day (20) counts in the diary, not in the comparison.
    assert_eq!(c.diary_headache_days, 3);
    assert_eq!(c.caveats, CAVEATS);

    // Enough days, still too few headache days.
    let days: Vec<DayPosture> = (0..20).map(|i| day(i, 0.2)).collect();
    let c = compare(
        &days,
        &aches[..2],
        window(0, 19),
        &CompareOptions::default(),
    );
    let Outcome::NotEnough(n) = c.outcome else {
        panic!("{:?}", c.outcome)
    };
    assert_eq!((n.more_days_needed, n.more_headache_days_needed), (0, 1));

    // An empty window (first after last) has nothing.
    let c = compare(&days, &aches, window(5, 4), &CompareOptions::default());
    let Outcome::NotEnough(n) = c.outcome else {
        panic!("{:?}", c.outcome)
    };
    assert_eq!((n.eligible_days, n.more_days_needed), (0, 14));
}

#[test]
fn same_seed_same_result_whatever_the_input_order() {
    let (days, aches, w) = planted();
    let opts = CompareOptions {
        resamples: 2000,
        ..CompareOptions::default()
    };
    let a = compare(&days, &aches, w, &opts);
    let mut rdays = days.clone();
    rdays.reverse();
    let mut raches = aches.clone();
    raches.reverse();
    let b = compare(&rdays, &raches, w, &opts);
    assert_eq!(a, b);
    // Another seed: the same estimates, other resampled figures.
    let c = compare(
        &days,
        &aches,
        w,
        &CompareOptions {
            seed: opts.seed + 1,
            ..opts
        },
    );
    let (fa, fc) = (findings(&a), findings(&c));
    let (ha, hc) = (est(&fa.headache_vs_free), est(&fc.headache_vs_free));
    assert_eq!(ha.estimate, hc.estimate);
    assert!(
        ha.ci_low != hc.ci_low || ha.ci_high != hc.ci_high,
        "{ha:?} {hc:?}"
    );
}

#[test]
fn without_headache_free_days_nothing_is_compared() {
    // Headaches every other day: every day is a headache day or the day before one.
    let days: Vec<DayPosture> = (0..20).map(|i| day(i, 0.1 * (i % 3) as f64)).collect();
    let aches: Vec<DiaryDay> = (0..20).filter(|i| i % 2 == 1).map(|i| ache(i, 4)).collect();
    let c = compare(&days, &aches, window(0, 19), &CompareOptions::default());
    assert_eq!(
        (c.headache_days, c.day_before_days, c.headache_free_days),
        (10, 10, 0)
    );
    let f = findings(&c);
    assert_eq!(f.headache_free.mean_share, None);
    let want = Contrast::TooFew {
        group: Group::HeadacheFree,
        days: 0,
        needed: 3,
    };
    assert_eq!(f.headache_vs_free, want);
    assert_eq!(f.before_vs_free, want);
}

#[test]
fn identical_shares_give_p_one_and_a_zero_interval() {
    let days: Vec<DayPosture> = (0..30).map(|i| day(i, 0.3)).collect();
    let aches = [ache(4, 3), ache(11, 6), ache(19, 9), ache(25, 2)];
    let c = compare(&days, &aches, window(0, 29), &CompareOptions::default());
    let f = findings(&c);
    for contrast in [&f.headache_vs_free, &f.before_vs_free] {
        let x = est(contrast);
        assert_eq!(x.estimate, 0.0);
        assert_eq!(x.p_value, 1.0);
        assert_eq!((x.ci_low, x.ci_high), (0.0, 0.0));
    }
}

#[test]
fn groups_are_disjoint_with_headache_days_first() {
    // Headaches on 5 and 6: 5 is a headache day (not "the day before" 6); 4 is the day
    // before. A headache on 12, an unmonitored day: 11 is still the day before it. The
    // window's last day (19) without a headache is unclassified. Day 15: hunched more
    // than monitored (clamped to 1).
    let mut days: Vec<DayPosture> = (0..20).filter(|&i| i != 12).map(|i| day(i, 0.25)).collect();
    days.push(DayPosture {
        date: d(15),
        monitored_s: 3600.0,
        hunched_s: 4000.0,
    });
    let aches = [ache(5, 5), ache(6, 7), ache(12, 2), ache(17, 1)];
    let c = compare(&days, &aches, window(0, 19), &CompareOptions::default());
    let group = |i: i64| c.days.iter().find(|x| x.date == d(i)).map(|x| x.group);
    assert_eq!(group(4), Some(Group::DayBefore));
    assert_eq!(group(5), Some(Group::Headache));
    assert_eq!(group(6), Some(Group::Headache));
    assert_eq!(group(7), Some(Group::HeadacheFree));
    assert_eq!(group(11), Some(Group::DayBefore));
    assert_eq!(group(12), None);
    assert_eq!(group(16), Some(Group::DayBefore));
    assert_eq!(group(19), Some(Group::Unclassified));
    // Day 15: 4 h at 25% plus 1 h at 4000 s hunched: (3600 + 4000) / 18000.
    let d15 = c.days.iter().find(|x| x.date == d(15)).unwrap();
    assert_eq!(d15.share, (3600.0 + 4000.0) / 18_000.0);
    assert_eq!(c.headache_days, 3);
    assert_eq!(c.diary_headache_days, 4);
    assert_eq!(c.day_before_days, 3);
    assert_eq!(c.unclassified_days, 1);
    assert_eq!(c.eligible_days, 19);
    assert_eq!(
        c.headache_free_days,
        c.eligible_days - c.headache_days - c.day_before_days - c.unclassified_days
    );
    // A lone over-full day is clamped to 1.
    let c = compare(
        &[DayPosture {
            date: d(0),
            monitored_s: 3600.0,
            hunched_s: 7200.0,
        }],
        &[],
        window(0, 1),
        &CompareOptions::default(),
    );
    assert_eq!(c.days[0].share, 1.0);
    // min_intensity raises the bar for a headache day.
    let c = compare(
        &days,
        &aches,
        window(0, 19),
        &CompareOptions {
            min_intensity: 3,
            ..CompareOptions::default()
        },
    );
    assert_eq!(c.headache_days, 2);
    assert_eq!(c.diary_headache_days, 2);
}

#[test]
fn the_interval_is_the_documented_order_statistics() {
    // Recompute the bootstrap by hand from the same stream and check the indices:
    // for R = 40, ⌈0.025·40⌉ = 1 and ⌈0.975·40⌉ = 39.
    let a = [0.1, 0.4, 0.35, 0.2];
    let b = [0.05, 0.15, 0.1, 0.3, 0.12];
    let (seed, stream, r) = (99, 7, 40u32);
    let mut g = rng::SplitMix64::stream(seed, stream);
    let mut t: Vec<f64> = (0..r)
        .map(|_| {
            let ma = (0..a.len()).map(|_| a[g.index(a.len())]).sum::<f64>() / a.len() as f64;
            let mb = (0..b.len()).map(|_| b[g.index(b.len())]).sum::<f64>() / b.len() as f64;
            ma - mb
        })
        .collect();
    t.sort_by(f64::total_cmp);
    assert_eq!(bootstrap_ci(&a, &b, r, seed, stream), (t[0], t[38]));
    // R = 10000: the 250th and 9750th.
    let r = 10_000u32;
    let mut g = rng::SplitMix64::stream(seed, stream);
    let mut t: Vec<f64> = (0..r)
        .map(|_| {
            let ma = (0..a.len()).map(|_| a[g.index(a.len())]).sum::<f64>() / a.len() as f64;
            let mb = (0..b.len()).map(|_| b[g.index(b.len())]).sum::<f64>() / b.len() as f64;
            ma - mb
        })
        .collect();
    t.sort_by(f64::total_cmp);
    assert_eq!(bootstrap_ci(&a, &b, r, seed, stream), (t[249], t[9749]));
}

#[test]
fn the_p_value_estimates_the_exact_permutation_probability() {
    // Small enough to enumerate every labelling: 3 of 7 days labelled A.
    let a = [0.9, 0.8, 0.1];
    let b = [0.2, 0.3, 0.4, 0.5];
    let pool: Vec<f64> = a.iter().chain(&b).copied().collect();
    let stat = |ia: &[usize]| {
        let sa: f64 = ia.iter().map(|&i| pool[i]).sum();
        let sb: f64 = pool.iter().sum::<f64>() - sa;
        sa / 3.0 - sb / 4.0
    };
    let observed = stat(&[0, 1, 2]).abs();
    let (mut extreme, mut all) = (0, 0);
    for i in 0..7 {
        for j in i + 1..7 {
            for k in j + 1..7 {
                all += 1;
                if stat(&[i, j, k]).abs() >= observed - 1e-12 {
                    extreme += 1;
                }
            }
        }
    }
    assert_eq!(all, 35);
    let exact = extreme as f64 / all as f64;
    let r = 20_000;
    let p = permutation_p(&a, &b, r, 5, 1);
    // Monte Carlo sd is at most sqrt(0.25 / 20000) ≈ 0.0035; allow 4 sd.
    assert!(
        (p - exact).abs() < 0.014,
        "p {p}, exact {exact} ({extreme}/35)"
    );
    // One A day of 1.0 among zeros: exactly 1 labelling in 4 is as extreme.
    let p = permutation_p(&[1.0], &[0.0, 0.0, 0.0], r, 5, 2);
    assert!((p - 0.25).abs() < 0.014, "{p}");
    // No resamples: p = 1 / 1.
    assert_eq!(permutation_p(&a, &b, 0, 5, 1), 1.0);
}

/// More null diaries than the regular test, for the measured rate in the report:
/// `cargo test --release --lib diary -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_false_positive_rate_over_many_null_diaries() {
    let mut g = rng::SplitMix64::new(0xfa15e);
    let n = 2000;
    let (mut rej_h, mut rej_b, mut ci_miss, mut m_h, mut m_b) = (0, 0, 0, 0, 0);
    for k in 0..n {
        let (days, aches) = null_diary(&mut g);
        let c = compare(
            &days,
            &aches,
            window(0, 59),
            &CompareOptions {
                seed: k,
                resamples: 2000,
                ..CompareOptions::default()
            },
        );
        let Outcome::Compared(f) = &c.outcome else {
            continue;
        };
        if let Some(h) = f.headache_vs_free.difference() {
            m_h += 1;
            rej_h += usize::from(h.p_value <= 0.05);
            ci_miss += usize::from(h.ci_low > 0.0 || h.ci_high < 0.0);
        }
        if let Some(b) = f.before_vs_free.difference() {
            m_b += 1;
            rej_b += usize::from(b.p_value <= 0.05);
        }
    }
    println!(
        "{n} null diaries: H−F rejected {rej_h}/{m_h} = {:.4}; B−F rejected {rej_b}/{m_b} = {:.4}; H−F 95% CI excluded 0 in {ci_miss}/{m_h} = {:.4}",
        rej_h as f64 / m_h as f64,
        rej_b as f64 / m_b as f64,
        ci_miss as f64 / m_h as f64
    );
    assert!(rej_h as f64 / (m_h as f64) < 0.07);
}
