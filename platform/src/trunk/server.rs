//! Requests outside any dialog of ours: OPTIONS keepalives, inbound INVITEs (offered to
//! [`super::InboundCalls`]), and the methods a trunk does not serve.

use std::sync::{Arc, Weak};
use std::time::Duration;

use rsipstack::sip::{Header, Method, StatusCode};
use rsipstack::transaction::transaction::Transaction;
use rsipstack::transaction::TransactionReceiver;

use super::config::PhoneNumber;
use super::sdp;
use super::{InboundDecision, InboundOffer, TrunkInner};

const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO";

pub(crate) async fn serve_requests(
    inner: Weak<TrunkInner>,
    mut incoming: TransactionReceiver,
    cancel: rsipstack::platform::CancellationToken,
) {
    loop {
        let tx = tokio::select! {
            tx = incoming.recv() => match tx {
                Some(tx) => tx,
                None => return,
            },
            _ = cancel.cancelled() => return,
        };
        let Some(inner) = inner.upgrade() else { return };
        tokio::spawn(handle(inner, tx));
    }
}

async fn handle(inner: Arc<TrunkInner>, mut tx: Transaction) {
    if let Some(mut dialog) = inner.dialogs.match_dialog(&tx) {
        if let Err(e) = dialog.handle(&mut tx).await {
            let _ = super::TrunkError::from(e);
        }
        return;
    }
    let method = tx.original.method;
    let result = match method {
        Method::Options => {
            tx.reply_with(
                StatusCode::OK,
                vec![
                    Header::Allow(ALLOW.into()),
                    Header::Accept("application/sdp".into()),
                    Header::Supported("timer".into()),
                ],
                None,
            )
            .await
        }
        Method::Invite => {
            let code = inbound_invite(&inner, &tx);
            tracing::info!(code = code.code(), "trunk: inbound INVITE answered");
            let r = tx.reply(code).await;
            // Absorb the ACK and INVITE retransmissions until the transaction ends.
            let _ = tokio::time::timeout(Duration::from_secs(32), async {
                while tx.receive().await.is_some() {}
            })
            .await;
            r
        }
        Method::Ack | Method::Cancel => Ok(()),
        Method::Register | Method::Subscribe | Method::Publish | Method::Message => {
            tx.reply_with(
                StatusCode::MethodNotAllowed,
                vec![Header::Allow(ALLOW.into())],
                None,
            )
            .await
        }
        // In-dialog methods for a dialog we do not have.
        _ => tx.reply(StatusCode::CallTransactionDoesNotExist).await,
    };
    if let Err(e) = result {
        let _ = super::TrunkError::from(e);
    }
}

/// The final status for an inbound INVITE.
fn inbound_invite(inner: &TrunkInner, tx: &Transaction) -> StatusCode {
    let req = &tx.original;
    let to = req.uri.user().and_then(|u| PhoneNumber::parse(u).ok());
    let Some(to) = to else {
        return StatusCode::NotFound;
    };
    if !inner.cfg.numbers.is_empty() && !inner.cfg.numbers.iter().any(|n| n == to.as_str()) {
        return StatusCode::NotFound;
    }
    if req.body.is_empty() {
        // Offerless INVITEs would need an offer in our 200; nothing to accept yet.
    } else if let Err(e) = sdp::parse_remote(&req.body) {
        tracing::info!(error = %e, "trunk: inbound INVITE with unusable SDP");
        return StatusCode::NotAcceptableHere;
    }
    let from = rsipstack::sip::prelude::HeadersExt::from_header(req)
        .ok()
        .and_then(|f| rsipstack::sip::prelude::ToTypedHeader::typed(f).ok())
        .and_then(|f| f.uri.user().and_then(|u| PhoneNumber::parse(u).ok()));
    match inner.inbound.offer(&InboundOffer { to, from }) {
        InboundDecision::Unavailable => StatusCode::TemporarilyUnavailable,
        InboundDecision::Busy => StatusCode::BusyHere,
        InboundDecision::Decline => StatusCode::Decline,
    }
}
