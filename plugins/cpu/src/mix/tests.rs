//! `mix` in-process: the segment rule, determinism, and that `verify` catches
//! forged, miscounted and malformed results using only the results.

use runner_sdk::{ParamValue, Params, Workload};

use super::*;

fn mix(steps: u64, units: u64, trail: u64, seed: u64) -> Mix {
    Mix { steps, units, checkpoint_every: 4096, seed, trail }
}

fn results(m: &Mix) -> Vec<Option<String>> {
    (0..m.units).map(|u| Some(m.compute(u, || ()))).collect()
}

fn trail_of(m: &Mix, unit: u64, text: &str) -> Vec<u64> {
    m.parse(unit, text).unwrap().1
}

fn hex(trail: &[u64]) -> String {
    trail.iter().map(|v| format!("\"{v:016x}\"")).collect::<Vec<_>>().join(",")
}

#[test]
fn segments_split_each_share_by_the_share_rule() {
    for (steps, units, trail) in [(1000, 2, 16), (1001, 3, 7), (5, 2, 16), (0, 1, 1)] {
        let m = mix(steps, units, trail, 0);
        for unit in 0..units {
            let mut next = 0;
            for j in 0..trail {
                let (first, len) = m.bounds(unit, j);
                assert_eq!(first, next, "segments are contiguous");
                assert_eq!(len, share(m.share(unit), trail, j), "segment {j} by the share rule");
                next = first + len;
            }
            assert_eq!(next, m.share(unit), "the segments add up to the unit's share");
        }
    }
}

#[test]
fn a_result_is_determined_by_seed_and_unit_and_depends_on_both() {
    let a = mix(10_000, 2, 16, 42);
    assert_eq!(results(&a), results(&a));
    let [r0, r1] = [0, 1].map(|u| a.compute(u, || ()));
    assert_ne!(r0, r1, "units start from different states");
    assert_ne!(r0, mix(10_000, 2, 16, 43).compute(0, || ()), "another seed, another trail");
    // The checkpoints cut the steps into pieces; the pieces do not change the result.
    for every in [1, 3, 5, 4096, u64::MAX] {
        let b = Mix { checkpoint_every: every, ..mix(10_000, 2, 16, 42) };
        assert_eq!(b.compute(0, || ()), r0, "checkpoint_every = {every}");
    }
}

#[test]
fn the_checkpoint_is_called_every_checkpoint_every_steps() {
    let m = Mix { checkpoint_every: 100, ..mix(2 * 1050, 2, 16, 7) };
    let mut calls = 0;
    m.compute(0, || calls += 1);
    assert_eq!(calls, 10, "1050 steps, a checkpoint after every 100");
}

/// The reference values the fixture submissions' copies of the step are
/// tested against (plugins/fixtures/student); an independent transcription of
/// the README's description (in Python) gave the same. Change them together, or
/// not at all: the step is what submissions implement.
#[test]
fn the_reference_values_hold() {
    assert_eq!(start(0, 0), 0xe220_a839_7b1d_cdaf);
    assert_eq!(segment(start(0, 0), 0, 1000), 0xfc6b_7d31_4c84_cc01);
    assert_eq!(segment(start(12345, 1), 500, 999), 0x5add_fe24_f81a_5764);
}

#[test]
fn honest_results_verify_whichever_segment_is_checked() {
    let m = mix(100_003, 2, 16, 0xdead_beef);
    let results = results(&m);
    for _ in 0..50 {
        assert_eq!(m.verify(&results).unwrap(), "count = 100003 = steps, trails checked (1 of 16 segments per unit)");
    }
    // More units than steps: empty shares and empty segments still verify.
    let tiny = mix(3, 5, 4, 1);
    tiny.verify(&super::tests::results(&tiny)).unwrap();
}

#[test]
fn a_forged_segment_is_caught_whenever_it_or_the_next_is_checked() {
    let m = mix(50_000, 2, 16, 99);
    let text = m.compute(1, || ());
    let honest = trail_of(&m, 1, &text);
    for j in 0..16 {
        m.check_segment(1, &honest, j).unwrap();
    }
    for forged in 0..16 {
        let mut trail = honest.clone();
        trail[forged] ^= 1 << (forged * 3);
        for j in 0..16 {
            let checked = m.check_segment(1, &trail, j);
            if j == forged || j == forged + 1 {
                let err = checked.unwrap_err();
                assert!(err.starts_with(&format!("unit 1, segment {j} of 16 (steps ")), "{err}");
            } else {
                checked.unwrap();
            }
        }
    }
}

#[test]
fn a_trail_not_computed_fails_verify() {
    let m = mix(50_000, 2, 16, 5);
    let mut results = results(&m);
    let share = m.share(1);
    results[1] = Some(format!("{{\"steps\":{share},\"trail\":[{}]}}", hex(&[0; 16])));
    for _ in 0..20 {
        let err = m.verify(&results).unwrap_err();
        assert!(err.starts_with("unit 1, segment "), "{err}");
    }
}

#[test]
fn wrong_step_counts_and_trail_lengths_fail_verify() {
    let m = mix(1_000, 2, 16, 3);
    let honest = results(&m);
    let trail = trail_of(&m, 0, honest[0].as_deref().unwrap());
    let mut results = honest.clone();
    results[0] = Some(format!("{{\"steps\":499,\"trail\":[{}]}}", hex(&trail)));
    assert_eq!(m.verify(&results).unwrap_err(), "unit 0 counted 499 steps, expected its share 500");
    results[0] = Some(format!("{{\"steps\":500,\"trail\":[{}]}}", hex(&trail[..15])));
    assert_eq!(m.verify(&results).unwrap_err(), "unit 0 returned 15 trail values, expected 16");
    // The shares are checked against this run's `steps`, not the units' claims.
    let other = mix(1_002, 2, 16, 3);
    assert_eq!(other.verify(&honest).unwrap_err(), "unit 0 counted 500 steps, expected its share 501");
    assert_eq!(m.verify(&honest[..1]).unwrap_err(), "1 results for 2 units");
}

#[test]
fn unparsable_results_fail_verify_with_the_unit() {
    let m = mix(1_000, 2, 4, 3);
    let good = results(&m);
    for (text, why) in [
        ("500", "no whole number `steps`"),
        ("counted!", "expected value"),
        ("{\"steps\":500}", "no array `trail`"),
        ("{\"steps\":-1,\"trail\":[]}", "no whole number `steps`"),
        ("{\"steps\":500,\"trail\":[1,2,3,4]}", "other than 64-bit hex strings"),
        ("{\"steps\":500,\"trail\":[\"zz\",\"0\",\"0\",\"0\"]}", "other than 64-bit hex strings"),
        ("{\"steps\":500,\"trail\":[\"10000000000000000\",\"0\",\"0\",\"0\"]}", "other than 64-bit hex strings"),
    ] {
        let mut results = good.clone();
        results[1] = Some(text.to_owned());
        let err = m.verify(&results).unwrap_err();
        assert!(err.starts_with("unit 1 returned ") && err.contains(why), "{text}: {err}");
    }
    let long = format!("{{\"steps\":{}", "9".repeat(500));
    let err = m.parse(0, &long).unwrap_err();
    assert!(err.len() < 300 && err.contains('…'), "long results are cut: {err}");
    let mut results = good;
    results[0] = None;
    assert_eq!(m.verify(&results).unwrap_err(), "unit 0 produced no result");
}

#[test]
fn prepare_reads_the_parameters_and_refuses_a_bad_trail() {
    let params = |trail: i64, seed: i64| {
        Params::from_values(
            [("steps", 100), ("checkpoint_every", 10), ("seed", seed), ("trail", trail)]
                .map(|(k, v)| (k.to_owned(), ParamValue::Int(v))),
        )
    };
    let m = Mix::prepare(&params(8, (1 << 53) - 1), 2).unwrap();
    assert_eq!((m.steps, m.units, m.checkpoint_every, m.seed, m.trail), (100, 2, 10, (1 << 53) - 1, 8));
    for trail in [0, -1, 1025] {
        let err = Mix::prepare(&params(trail, 0), 2).unwrap_err();
        assert!(err.contains("`trail` must be between 1 and 1024"), "{err}");
    }
}

/// What a step costs (`cargo test --release -p runner-plugin-cpu -- --ignored
/// --nocapture`): sets the labs' `steps`. The best of 5 rounds, as other work on
/// the machine only ever adds time.
#[test]
#[ignore = "a measurement, not a check"]
fn measure_ns_per_step() {
    let m = mix(200_000_000, 1, 16, 1);
    let best = (0..5)
        .map(|_| {
            let started = std::time::Instant::now();
            std::hint::black_box(m.compute(0, || ()));
            started.elapsed()
        })
        .min()
        .unwrap();
    println!("mix: {:.3} ns/step", best.as_secs_f64() * 1e9 / m.steps as f64);
}
