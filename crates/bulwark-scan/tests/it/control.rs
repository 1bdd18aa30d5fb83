//! Progress events and cancellation.

use std::sync::{Arc, Mutex};

use bulwark_scan::{CancelToken, Event, ScanError, ScanOptions, Scanner, Stage};

use crate::common::{db, demo};

#[test]
fn progress_sees_every_stage_in_order_and_every_layer() {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let scanner = Scanner::new(db(), ScanOptions::default())
        .with_progress(move |e: &Event| sink.lock().unwrap().push(e.clone()));
    scanner.scan(&demo()).expect("scan");
    let events = events.lock().unwrap().clone();
    let stages: Vec<Event> = events
        .iter()
        .filter(|e| !matches!(e, Event::LayerStarted { .. }))
        .cloned()
        .collect();
    use Event::{StageFinished as F, StageStarted as S};
    assert_eq!(
        stages,
        vec![
            S(Stage::Open),
            F(Stage::Open),
            S(Stage::Walk),
            F(Stage::Walk),
            S(Stage::Catalog),
            F(Stage::Catalog),
            S(Stage::Match),
            F(Stage::Match),
            S(Stage::Policy),
            F(Stage::Policy),
        ]
    );
    let mut layers: Vec<(usize, usize)> = events
        .iter()
        .filter_map(|e| match e {
            Event::LayerStarted { index, count } => Some((*index, *count)),
            _ => None,
        })
        .collect();
    layers.sort();
    assert_eq!(layers, vec![(0, 2), (1, 2)]);
    // Layers are read inside the walk stage.
    let walk_start = events.iter().position(|e| *e == S(Stage::Walk)).unwrap();
    let walk_end = events.iter().position(|e| *e == F(Stage::Walk)).unwrap();
    for (i, e) in events.iter().enumerate() {
        if matches!(e, Event::LayerStarted { .. }) {
            assert!(walk_start < i && i < walk_end, "{events:?}");
        }
    }
}

#[test]
fn cancelled_before_start_reads_nothing() {
    let token = CancelToken::new();
    token.cancel();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let err = Scanner::new(db(), ScanOptions::default())
        .with_cancel(token)
        .with_progress(move |e: &Event| sink.lock().unwrap().push(e.clone()))
        .scan(&demo())
        .expect_err("cancelled");
    assert!(matches!(err, ScanError::Cancelled), "{err:?}");
    assert!(events.lock().unwrap().is_empty());
}

#[test]
fn cancelled_during_the_walk_stops_the_walk() {
    let token = CancelToken::new();
    let trigger = token.clone();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let err = Scanner::new(db(), ScanOptions::default())
        .with_cancel(token)
        .with_progress(move |e: &Event| {
            if matches!(e, Event::LayerStarted { .. }) {
                trigger.cancel();
            }
            sink.lock().unwrap().push(e.clone());
        })
        .scan(&demo())
        .expect_err("cancelled");
    assert!(matches!(err, ScanError::Cancelled), "{err:?}");
    let events = events.lock().unwrap();
    assert!(
        !events.contains(&Event::StageFinished(Stage::Walk)),
        "{events:?}"
    );
    assert!(
        !events.contains(&Event::StageStarted(Stage::Match)),
        "{events:?}"
    );
}

#[test]
fn cancelled_inventory_is_cancelled_too() {
    let token = CancelToken::new();
    token.cancel();
    let control = bulwark_scan::Control::default().with_cancel(token);
    let err =
        bulwark_scan::inventory(&demo(), &Default::default(), &control).expect_err("cancelled");
    assert!(matches!(err, ScanError::Cancelled), "{err:?}");
}
