//! SIPp UACs against SIPp UASes (and baresip) on loopback: the counts come out right.

use std::time::Duration;

use seatline_testpeers::baresip::{AnswerMode, Baresip, BaresipConfig, EventKind};
use seatline_testpeers::sipp::{Scenario, Sipp, SippConfig, SippExit};

const T: Duration = Duration::from_secs(10);

fn uas(scenario: Scenario, calls: u32) -> SippConfig {
    SippConfig {
        calls: Some(calls),
        timeout: Duration::from_secs(30),
        ..SippConfig::uas(scenario)
    }
}

#[tokio::test]
async fn a_uac_calls_a_uas_and_both_count_the_calls() {
    let mut callee = Sipp::start(uas(Scenario::UasAnswerPcmu, 5)).await.unwrap();
    let mut caller = Sipp::start(SippConfig {
        calls: Some(5),
        rate: 20.0,
        ..SippConfig::uac(Scenario::UacCall, callee.local_addr())
    })
    .await
    .unwrap();
    let out = caller.wait().await.unwrap();
    assert_eq!(out.exit, SippExit::AllSucceeded, "{}", out.errors);
    assert_eq!((out.successful, out.failed, out.created), (5, 0, 5));
    let inn = callee.wait().await.unwrap();
    assert_eq!(inn.exit, SippExit::AllSucceeded, "{}", inn.errors);
    assert_eq!((inn.successful, inn.failed), (5, 0));
}

#[tokio::test]
async fn a_burst_at_a_rate_completes_every_call() {
    let mut callee = Sipp::start(uas(Scenario::UasAnswerPcmu, 100))
        .await
        .unwrap();
    let mut caller = Sipp::start(SippConfig {
        calls: Some(100),
        rate: 100.0,
        call_length: Duration::ZERO,
        ..SippConfig::uac(Scenario::UacBurst, callee.local_addr())
    })
    .await
    .unwrap();
    let out = caller.wait().await.unwrap();
    assert_eq!((out.successful, out.failed), (100, 0), "{}", out.errors);
    assert_eq!(callee.wait().await.unwrap().successful, 100);
}

#[tokio::test]
async fn rejections_fail_the_callers_calls() {
    for scenario in [Scenario::UasBusy486, Scenario::UasUnavailable503] {
        let mut callee = Sipp::start(uas(scenario.clone(), 2)).await.unwrap();
        let mut caller = Sipp::start(SippConfig {
            calls: Some(2),
            ..SippConfig::uac(Scenario::UacCall, callee.local_addr())
        })
        .await
        .unwrap();
        let out = caller.wait().await.unwrap();
        assert_eq!(out.exit, SippExit::SomeFailed, "{scenario:?}");
        assert_eq!((out.successful, out.failed), (0, 2), "{scenario:?}");
        let code = if scenario == Scenario::UasBusy486 {
            "486"
        } else {
            "503"
        };
        assert!(out.errors.contains(code), "{scenario:?}: {}", out.errors);
        // The UAS did what it was told: its calls succeeded.
        assert_eq!(callee.wait().await.unwrap().successful, 2, "{scenario:?}");
    }
}

#[tokio::test]
async fn digest_challenge_passes_good_and_refuses_bad_credentials() {
    for (password, ok) in [("s3cret", true), ("wrong", false)] {
        let mut callee = Sipp::start(SippConfig {
            auth: Some(("agent7".into(), "s3cret".into())),
            ..uas(Scenario::UasAuth401, 1)
        })
        .await
        .unwrap();
        let mut caller = Sipp::start(SippConfig {
            auth: Some(("agent7".into(), password.into())),
            ..SippConfig::uac(Scenario::UacCall, callee.local_addr())
        })
        .await
        .unwrap();
        let out = caller.wait().await.unwrap();
        let inn = callee.wait().await.unwrap();
        if ok {
            assert_eq!((out.successful, inn.successful), (1, 1), "{}", out.errors);
        } else {
            assert_eq!((out.failed, inn.failed), (1, 1));
            assert!(out.errors.contains("403"), "{}", out.errors);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_uac_cancels_a_ringing_baresip() {
    let phone = Baresip::start(BaresipConfig {
        answer_mode: AnswerMode::Manual,
        ..BaresipConfig::new("agent")
    })
    .await
    .unwrap();
    let mut caller = Sipp::start(SippConfig {
        // baresip answers 404 unless the request URI names its user.
        service: Some("agent".into()),
        ..SippConfig::uac(Scenario::UacCancel, phone.sip_addr())
    })
    .await
    .unwrap();
    let out = caller.wait().await.unwrap();
    assert_eq!((out.successful, out.failed), (1, 0), "{}", out.errors);
    phone.wait_for(EventKind::CallIncoming, T).await.unwrap();
    phone.wait_for(EventKind::CallClosed, T).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baresip_answers_a_digest_challenge() {
    let mut callee = Sipp::start(SippConfig {
        auth: Some(("customer".into(), "pa55".into())),
        ..uas(Scenario::UasAuth401, 1)
    })
    .await
    .unwrap();
    let phone = Baresip::start(BaresipConfig {
        auth: Some(("customer".into(), "pa55".into())),
        ..BaresipConfig::new("customer")
    })
    .await
    .unwrap();
    phone.dial(&callee.sip_uri("agent")).await.unwrap();
    phone.wait_for(EventKind::CallEstablished, T).await.unwrap();
    phone.hangup().await.unwrap();
    phone.wait_for(EventKind::CallClosed, T).await.unwrap();
    let inn = callee.wait().await.unwrap();
    assert_eq!((inn.successful, inn.failed), (1, 0), "{}", inn.errors);
}

#[tokio::test]
async fn the_session_timer_uas_accepts_a_refresh() {
    let mut callee = Sipp::start(uas(Scenario::UasSessionTimer, 1))
        .await
        .unwrap();
    let mut caller = Sipp::start(SippConfig {
        call_length: Duration::from_millis(300),
        ..SippConfig::uac(Scenario::UacSessionRefresh, callee.local_addr())
    })
    .await
    .unwrap();
    let out = caller.wait().await.unwrap();
    assert_eq!((out.successful, out.failed), (1, 0), "{}", out.errors);
    let inn = callee.wait().await.unwrap();
    assert_eq!((inn.successful, inn.failed), (1, 0), "{}", inn.errors);
}

#[tokio::test]
async fn a_missing_scenario_is_a_clear_error() {
    let err = Sipp::start(SippConfig::uas(Scenario::File("/nonexistent.xml".into())))
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("does not exist"));
}
