//! The dial gate every calling method goes through (R2, R3, R9, R11), through the real
//! platform: offline, a mobile without a bound number, a phone fault.

use seatline_core::answer::AnswerRefusal;
use seatline_core::session::{DialRefusal, PhoneState};
use seatline_core::CoreError;
use seatline_e2e::{demo, dial_refusal, Device, Platform, Result};
use seatline_proto::DeviceKind;

const CUSTOMER: &str = "13700001111";

fn refusal(r: &Result<seatline_proto::PhoneNumber, CoreError>) -> Option<DialRefusal> {
    r.as_ref().err().and_then(dial_refusal)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r2_r3_r9_r11_dial_gate() -> Result<()> {
    let platform = Platform::start().await?;
    let url = platform.url();

    // R2, R11: logged out, no calls either way; the panel reads 尚未登录.
    let pc = Device::new(&url, DeviceKind::Pc)?;
    assert_eq!(pc.view().phone, PhoneState::NotLoggedIn);
    assert_eq!(pc.view().text_zh(), "尚未登录");
    let r = pc.client.check_dial(CUSTOMER);
    assert_eq!(refusal(&r), Some(DialRefusal::NotLoggedIn), "{r:?}");
    assert_eq!(DialRefusal::NotLoggedIn.text_zh(), "尚未登录");
    let r = pc.client.set_answering(true).await;
    assert!(
        matches!(r, Err(CoreError::Answer(AnswerRefusal::NotLoggedIn))),
        "{r:?}"
    );
    // Bad input is refused as such, before any state is looked at (invariant 4).
    let r = pc.client.check_dial("12");
    assert!(matches!(r, Err(CoreError::InvalidInput(_))), "{r:?}");

    // R3: agent 1003 has no bound number: the mobile refuses to dial and to answer, with
    // a clear reason; the PC of the same agent dials.
    // The platform refuses it too, whatever a client asks (R3, R5); this session is then
    // replaced by the core's mobile login below (same kind of device).
    let (rest, _) = platform
        .rest()
        .login_agent(
            demo::ENTERPRISE,
            "1003",
            "1003pass",
            DeviceKind::Mobile,
            "e2e-1003",
        )
        .await?;
    let put: Result<serde_json::Value> = rest
        .send_json(
            reqwest::Method::PUT,
            seatline_proto::paths::ME_ANSWER,
            &seatline_proto::SetAnswerRequest { on: true },
        )
        .await;
    let why = put.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(why.contains("NoBoundNumber"), "{why}");

    let mobile = Device::new(&url, DeviceKind::Mobile)?;
    mobile.login_demo("1003").await?;
    assert_eq!(mobile.view().phone, PhoneState::Ready);
    let r = mobile.client.check_dial(CUSTOMER);
    assert_eq!(refusal(&r), Some(DialRefusal::NoBoundNumber), "{r:?}");
    assert_eq!(
        DialRefusal::NoBoundNumber.text_zh(),
        "未绑定手机号码，无法呼叫"
    );
    let r = mobile.client.set_answering(true).await;
    assert!(
        matches!(r, Err(CoreError::Answer(AnswerRefusal::NoBoundNumber))),
        "{r:?}"
    );
    pc.login_demo("1003").await?;
    assert_eq!(pc.client.check_dial(CUSTOMER)?.as_str(), CUSTOMER);
    // R9: the administrator declares the enterprise's phone fault: every device reads
    // 电话异常 and the dial pad refuses; cleared, calling works again.
    let bound = Device::new(&url, DeviceKind::Mobile)?;
    bound.login_demo("1001").await?;
    assert!(bound.client.check_dial(CUSTOMER).is_ok());
    let admin = platform.rest().login_admin(demo::ENTERPRISE).await?;
    let marks = [&pc, &bound, &mobile].map(|d| d.events.mark());
    admin.set_phone_fault(true).await?;
    for (dev, mark) in [&pc, &bound, &mobile].into_iter().zip(marks) {
        let (_, view) = dev
            .events
            .wait_view(mark, "PhoneState::Fault", |v| v.phone == PhoneState::Fault)
            .await?;
        assert_eq!(view.text_zh(), "电话异常");
        let r = dev.client.check_dial(CUSTOMER);
        assert_eq!(refusal(&r), Some(DialRefusal::PhoneFault), "{r:?}");
    }
    assert_eq!(
        DialRefusal::PhoneFault.text_zh(),
        "暂无法发起呼叫，请稍后重试"
    );
    assert_eq!(PhoneState::FAULT_DETAIL_ZH, "电话功能异常，请尝试重新登录");
    assert!(bound.client.status().is_some_and(|s| s.phone_fault));

    // A device that logs in during the fault learns it from its status (Hello).
    let late = Device::new(&url, DeviceKind::Pc)?;
    late.login_demo("1002").await?;
    assert_eq!(late.view().phone, PhoneState::Fault);
    let r = late.client.check_dial(CUSTOMER);
    assert_eq!(refusal(&r), Some(DialRefusal::PhoneFault), "{r:?}");

    let marks = [&pc, &bound, &late, &mobile].map(|d| d.events.mark());
    admin.set_phone_fault(false).await?;
    for (dev, mark) in [&pc, &bound, &late, &mobile].into_iter().zip(marks) {
        dev.events
            .wait_view(mark, "PhoneState::Ready", |v| v.phone == PhoneState::Ready)
            .await?;
    }
    for dev in [&pc, &bound, &late] {
        assert!(dev.client.check_dial(CUSTOMER).is_ok());
    }
    // 1003's mobile is still without a number: the fault's end does not lift R3.
    let r = mobile.client.check_dial(CUSTOMER);
    assert_eq!(refusal(&r), Some(DialRefusal::NoBoundNumber), "{r:?}");

    // R2 again: after logout the gate is closed.
    bound.client.logout().await?;
    let r = bound.client.check_dial(CUSTOMER);
    assert_eq!(refusal(&r), Some(DialRefusal::NotLoggedIn), "{r:?}");
    assert_eq!(bound.view().text_zh(), "尚未登录");
    Ok(())
}
