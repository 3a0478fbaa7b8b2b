//! Login, logout, replacement and auto-login of an agent's devices (R1, R2, R8), and which
//! enterprise's library a shared device shows.

use seatline_core::answer::{AnswerRefusal, AnswerState};
use seatline_core::session::{DialRefusal, PhoneState};
use seatline_core::settings::Settings;
use seatline_core::{ClientEvent, CoreError};
use seatline_e2e::{
    data_dir, demo, dial_refusal, eventually, Device, Link, Platform, Result, WAIT,
};
use seatline_proto::events::SessionEndReason;
use seatline_proto::{paths, AgentSummary, DeviceKind, PhoneNumber};
use std::time::Duration;

/// R2: a second login of the agent on the same kind of device ends the first session;
/// the first device reads 尚未登录 and neither dials nor answers. The other kind stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r2_session_replaced_by_new_login_on_same_kind() -> Result<()> {
    let platform = Platform::start().await?;
    let first = Device::new(&platform.url(), DeviceKind::Pc)?;
    let mobile = Device::new(&platform.url(), DeviceKind::Mobile)?;
    first.login_demo("1001").await?;
    mobile.login_demo("1001").await?;
    assert!(first.client.check_dial("13700001111").is_ok());

    let mark = first.events.mark();
    let second = Device::new(&platform.url(), DeviceKind::Pc)?;
    second.login_demo("1001").await?;
    first
        .events
        .wait_for(mark, WAIT, "SessionEnded(ReplacedByNewLogin)", |e| {
            matches!(
                e,
                ClientEvent::SessionEnded(SessionEndReason::ReplacedByNewLogin)
            )
            .then_some(())
        })
        .await?;
    first
        .events
        .wait_view(mark, "NotLoggedIn", |v| v.phone == PhoneState::NotLoggedIn)
        .await?;
    let view = first.view();
    assert_eq!(view.phone, PhoneState::NotLoggedIn);
    assert_eq!(view.text_zh(), "尚未登录");
    assert_eq!(view.text_en(), "Not logged in");
    assert_eq!(view.answer_holder, None);
    assert!(first.client.status().is_none());
    let refused = first.client.check_dial("13700001111");
    assert_eq!(
        refused.as_ref().err().and_then(dial_refusal),
        Some(DialRefusal::NotLoggedIn),
        "{refused:?}"
    );
    let refused = first.client.set_answering(true).await;
    assert!(
        matches!(refused, Err(CoreError::Answer(AnswerRefusal::NotLoggedIn))),
        "{refused:?}"
    );
    // The replaced session is gone for good: no auto-login with it (R8).
    assert!(first.client.resume().await?.is_none());

    // The new PC and the mobile (another kind) are untouched.
    assert!(second.client.check_dial("13700001111").is_ok());
    assert_eq!(second.view().phone, PhoneState::Ready);
    assert_eq!(mobile.view().phone, PhoneState::Ready);
    assert!(mobile.client.check_dial("13700001111").is_ok());
    assert!(!mobile
        .events
        .events()
        .iter()
        .any(|e| matches!(e, ClientEvent::SessionEnded(_))));
    // The new PC can take the lease: the old session's is not in the way.
    second.client.set_answering(true).await?;
    Ok(())
}

/// One enterprise never sees another's data: a device that logs in to another enterprise
/// starts from an empty library, before and after its sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_enterprise_on_a_device_clears_the_local_library() -> Result<()> {
    let platform = Platform::start().await?;
    let dir = data_dir(DeviceKind::Mobile)?;
    let demo_dev = Device::open(&platform.url(), DeviceKind::Mobile, dir.path())?;
    demo_dev.login_demo("1001").await?;
    demo_dev.settle_library().await?;
    let sample = demo_dev.client.library().search("", 200, 0)?;
    assert_eq!(sample.len(), 200);
    let probe = sample
        .iter()
        .find(|c| c.name.is_some())
        .cloned()
        .ok_or("a named demo customer")?;
    let probe_name = probe
        .name
        .as_ref()
        .map(|n| n.as_str().to_string())
        .unwrap_or_default();
    assert!(demo_dev
        .client
        .library()
        .search(&probe_name, 50, 0)?
        .iter()
        .any(|c| c.id == probe.id));
    demo_dev.client.logout().await?;
    // Logged out, the library stays for the enterprise's next login on this device.
    assert!(demo_dev.client.library().get(probe.id)?.is_some());
    drop(demo_dev);

    // The same phone, the app started again; an agent of another enterprise logs in.
    let acme_dev = Device::open(&platform.url(), DeviceKind::Mobile, dir.path())?;
    acme_dev
        .login(demo::ACME, "2001", &demo::password("2001"))
        .await?;
    let lib = acme_dev.client.library();
    assert!(lib.get(probe.id)?.is_none(), "a demo customer by id");
    assert!(
        lib.by_mobile(&probe.mobile)?.is_none(),
        "a demo customer by number"
    );
    assert!(
        lib.search(&probe_name, 50, 0)?.is_empty(),
        "a demo customer by name"
    );
    acme_dev.settle_library().await?;
    let all = lib.search("", 200, 0)?;
    assert_eq!(all.len(), demo::ACME_CUSTOMERS, "acme's customers only");
    assert!(lib.get(probe.id)?.is_none_or(|c| c.mobile != probe.mobile));
    assert!(lib.by_mobile(&probe.mobile)?.is_none());
    let acme_probe = all.first().cloned().ok_or("an acme customer")?;

    // And back: an agent of demo on the same device sees no acme customer.
    acme_dev.client.logout().await?;
    drop(acme_dev);
    let again = Device::open(&platform.url(), DeviceKind::Mobile, dir.path())?;
    again.login_demo("1002").await?;
    assert!(again
        .client
        .library()
        .by_mobile(&acme_probe.mobile)?
        .is_none());
    again.settle_library().await?;
    assert!(again
        .client
        .library()
        .by_mobile(&acme_probe.mobile)?
        .is_none());
    assert!(again.client.library().by_mobile(&probe.mobile)?.is_some());
    Ok(())
}

/// The same, with the previous enterprise's first sync still on its way when the other
/// enterprise's agent logs in: its answer must not land in the new library (it did: the
/// reset ran while the sync was in flight, then the sync wrote demo's customers and cursor
/// into acme's library, and acme's own customers never came).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_enterprise_during_a_sync_does_not_leak_the_previous_library() -> Result<()> {
    let platform = Platform::start().await?;
    let link = Link::new(platform.addr()).await?;
    let dev = Device::new(&link.url(), DeviceKind::Mobile)?;
    // demo's agent logs in; the answer to its first library pull is held on the way.
    link.hold_next_changes();
    dev.client
        .login(demo::ENTERPRISE, "1001", &demo::password("1001"))
        .await?;
    eventually("the demo pull held", WAIT, || async {
        Ok((link.held() == 1).then_some(()))
    })
    .await?;
    dev.client.logout().await?;
    // acme's agent logs in meanwhile; the held answer arrives once that login is through
    // on the platform (and, without the fix, the library was already reset).
    let acme_admin = platform.rest().login_admin(demo::ACME).await?;
    let login = {
        let client = dev.client.clone();
        tokio::spawn(async move { client.login(demo::ACME, "2001", "2001pass").await })
    };
    eventually("acme's agent online on the platform", WAIT, || async {
        let agents: Vec<AgentSummary> = acme_admin.get(paths::ADMIN_AGENTS).await?;
        Ok(agents
            .iter()
            .any(|a| a.job_number.as_str() == "2001" && !a.devices_online.is_empty())
            .then_some(()))
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    link.release();
    let status = tokio::time::timeout(WAIT, login).await???;
    assert_eq!(status.profile.enterprise.as_str(), demo::ACME);
    dev.settle_library().await?;
    let lib = dev.client.library();
    let all = lib.search("", 200, 0)?;
    assert_eq!(
        all.len(),
        demo::ACME_CUSTOMERS,
        "acme's customers and no others"
    );
    assert!(lib
        .by_mobile(&PhoneNumber::parse(demo::BOUND_1001)?)?
        .is_none());
    let (demo_rest, _) = platform
        .rest()
        .login_agent(
            demo::ENTERPRISE,
            "1002",
            "1002pass",
            DeviceKind::Pc,
            "e2e-rest",
        )
        .await?;
    let demo_first = demo_rest.search("").await?;
    for c in demo_first.customers.iter().take(50) {
        assert!(
            lib.by_mobile(&c.mobile)?.is_none(),
            "a demo customer leaked"
        );
    }
    Ok(())
}

/// A login while another session is live on the device replaces it (R1, R2, R5): the
/// device shows the new agent, and the old session is logged out on the platform, its
/// answer lease released (it stayed online holding the lease, while the device showed the
/// old agent with the new agent's token).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r2_login_while_logged_in_replaces_the_previous_session() -> Result<()> {
    let platform = Platform::start().await?;
    let dev = Device::new(&platform.url(), DeviceKind::Pc)?;
    dev.login_demo("1001").await?;
    dev.client.set_answering(true).await?;
    assert_eq!(dev.view().answer_holder, Some(DeviceKind::Pc));

    let mark = dev.events.mark();
    let status = dev
        .client
        .login(demo::ENTERPRISE, "1002", "1002pass")
        .await?;
    assert_eq!(status.profile.job_number.as_str(), "1002");
    dev.events.wait_connected(mark, WAIT).await?;
    let now = dev.client.status().ok_or("logged in")?;
    assert_eq!(
        now.profile.job_number.as_str(),
        "1002",
        "the device shows the new agent"
    );
    assert_eq!(
        dev.view().answer,
        AnswerState::PcBusy,
        "R4: busy after login"
    );
    assert_eq!(dev.view().answer_holder, None);

    let admin = platform.rest().login_admin(demo::ENTERPRISE).await?;
    let agents: Vec<AgentSummary> = admin.get(paths::ADMIN_AGENTS).await?;
    let old = agents
        .iter()
        .find(|a| a.job_number.as_str() == "1001")
        .ok_or("agent 1001")?;
    assert!(old.devices_online.is_empty(), "1001 logged out: {old:?}");
    assert_eq!(old.answer_holder, None, "1001's lease released");
    let new = agents
        .iter()
        .find(|a| a.job_number.as_str() == "1002")
        .ok_or("agent 1002")?;
    assert_eq!(new.devices_online, vec![DeviceKind::Pc]);
    // The new session works: it takes the lease of its own agent.
    dev.client.set_answering(true).await?;
    Ok(())
}

/// R8: auto-login resumes the saved session in a new client on the same data directory;
/// an unreachable platform keeps it for the next try; a logout, or the platform ending
/// the session meanwhile, forgets it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r8_auto_login_resumes_the_saved_session_until_logout() -> Result<()> {
    let mut platform = Platform::start().await?;
    let url = platform.url();
    let dir = data_dir(DeviceKind::Pc)?;
    let first = Device::open(&url, DeviceKind::Pc, dir.path())?;
    assert!(first.client.resume().await?.is_none(), "nothing saved yet");
    first.login_demo("1001").await?;
    let agent_id = first.client.status().ok_or("logged in")?.profile.agent_id;
    first.client.set_settings(Settings {
        auto_login: true,
        ..Settings::default()
    })?;
    // The app quits: the client goes, the platform session stays.
    drop(first);

    // The app starts again: the setting is kept and the session resumes, no password.
    let app = Device::open(&url, DeviceKind::Pc, dir.path())?;
    assert!(app.client.settings().auto_login);
    assert_eq!(app.view().phone, PhoneState::NotLoggedIn);
    let mark = app.events.mark();
    let status = app
        .client
        .resume()
        .await?
        .ok_or("the saved session resumes")?;
    assert_eq!(status.profile.agent_id, agent_id);
    assert_eq!(status.profile.job_number.as_str(), "1001");
    app.events.wait_connected(mark, WAIT).await?;
    assert_eq!(app.view().phone, PhoneState::Ready);
    assert!(app.client.check_dial("13700001111").is_ok());
    app.client.set_answering(true).await?;
    drop(app);

    // Started while the platform is down: resume fails as unreachable and keeps the
    // session, so the next start (or retry) gets in.
    platform.kill().await?;
    let offline = Device::open(&url, DeviceKind::Pc, dir.path())?;
    let tried = offline.client.resume().await;
    assert!(matches!(tried, Err(CoreError::Unreachable(_))), "{tried:?}");
    assert_eq!(offline.view().phone, PhoneState::NotLoggedIn);
    platform.restart().await?;
    let mark = offline.events.mark();
    offline
        .client
        .resume()
        .await?
        .ok_or("resumes once the platform is back")?;
    offline.events.wait_connected(mark, WAIT).await?;
    // The lease taken before is still this device's (same device, same session).
    assert_eq!(offline.view().answer_holder, Some(DeviceKind::Pc));

    // Logout forgets the session: no resume, not even in a new client.
    offline.client.logout().await?;
    assert!(offline.client.resume().await?.is_none());
    drop(offline);
    let later = Device::open(&url, DeviceKind::Pc, dir.path())?;
    assert!(later.client.resume().await?.is_none());
    assert!(
        later.client.settings().auto_login,
        "settings outlive the session"
    );

    // A session the platform ended while the app was closed is not resumed either.
    later.login_demo("1001").await?;
    drop(later);
    let elsewhere = Device::new(&url, DeviceKind::Pc)?;
    elsewhere.login_demo("1001").await?;
    let back = Device::open(&url, DeviceKind::Pc, dir.path())?;
    assert!(back.client.resume().await?.is_none(), "replaced meanwhile");
    let login_again = back.client.check_dial("13700001111");
    assert_eq!(
        login_again.as_ref().err().and_then(dial_refusal),
        Some(DialRefusal::NotLoggedIn)
    );
    Ok(())
}
