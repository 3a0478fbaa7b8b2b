//! `Seatline`: the core client as one object for Kotlin and Swift. Each method converts
//! its arguments, calls the core, and converts the result back.

use crate::error::SeatlineError;
use crate::listener::{
    AudioDevicesProvider, EventListener, ForwardAudio, ForwardEvents, SubscriptionHandle,
};
use crate::types::{
    AgentProfile, ContactKind, Customer, DeviceKind, PhoneView, Settings, SyncReport,
};
use seatline_core::{ClientConfig, SeatlineClient};
use seatline_proto::{CardText, NewContact, NewCustomer, PhoneNumber};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(uniffi::Object)]
pub struct Seatline {
    pub(crate) client: SeatlineClient,
}

fn text(value: Option<String>) -> Result<Option<CardText>, SeatlineError> {
    Ok(value
        .filter(|s| !s.trim().is_empty())
        .map(|s| CardText::parse(&s))
        .transpose()?)
}

#[uniffi::export]
impl Seatline {
    /// `platform_url`: the platform's origin; `data_dir`: the app's private files folder;
    /// `dialer`: the phone's own dialer for native calls (R12; none on a PC).
    #[uniffi::constructor(default(dialer = None))]
    pub fn new(
        platform_url: String,
        data_dir: String,
        device_kind: DeviceKind,
        audio: Option<Arc<dyn AudioDevicesProvider>>,
        dialer: Option<Arc<dyn crate::records::NativeDialer>>,
    ) -> Result<Arc<Self>, SeatlineError> {
        let rt = crate::runtime::handle().map_err(|detail| SeatlineError::Other { detail })?;
        let config = ClientConfig {
            platform_url,
            data_dir: PathBuf::from(data_dir),
            device_kind: device_kind.into(),
        };
        let audio = audio
            .map(|a| Arc::new(ForwardAudio(a)) as Arc<dyn seatline_core::settings::AudioDevices>);
        let dialer = dialer.map(|d| {
            Arc::new(crate::records::ForwardDialer(d))
                as Arc<dyn seatline_core::records::NativeDialer>
        });
        let client = SeatlineClient::with_dialer(config, rt, audio, dialer)?;
        Ok(Arc::new(Self { client }))
    }

    /// R1: log in with the job number and password the administrator assigned.
    pub async fn login(
        &self,
        enterprise: String,
        job_number: String,
        password: String,
    ) -> Result<AgentProfile, SeatlineError> {
        Ok(self
            .client
            .login(&enterprise, &job_number, &password)
            .await?
            .into())
    }

    /// R8 auto-login: resume the saved session; `None` when there is none.
    pub async fn resume(&self) -> Result<Option<AgentProfile>, SeatlineError> {
        Ok(self.client.resume().await?.map(Into::into))
    }

    pub async fn logout(&self) -> Result<(), SeatlineError> {
        Ok(self.client.logout().await?)
    }

    pub fn profile(&self) -> Option<AgentProfile> {
        self.client.status().map(Into::into)
    }

    pub fn phone_view(&self) -> PhoneView {
        self.client.phone_view().into()
    }

    /// R4, R5: answering on (PC idle) or off (PC busy).
    pub async fn set_answering(&self, on: bool) -> Result<PhoneView, SeatlineError> {
        Ok(self.client.set_answering(on).await?.into())
    }

    /// R7: chat reception open or closed.
    pub async fn set_reception(&self, open: bool) -> Result<PhoneView, SeatlineError> {
        Ok(self.client.set_reception(open).await?.into())
    }

    /// R2, R3, R9, R11: the number to dial, or why no call can be placed now.
    pub fn check_dial(&self, number: String) -> Result<String, SeatlineError> {
        Ok(self.client.check_dial(&number)?.to_string())
    }

    pub fn settings(&self) -> Settings {
        self.client.settings().into()
    }

    pub fn set_settings(&self, settings: Settings) -> Result<(), SeatlineError> {
        Ok(self.client.set_settings(settings.into())?)
    }

    /// Name or company, or any part of a number; works offline.
    pub fn search_customers(
        &self,
        query: String,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Customer>, SeatlineError> {
        let found = self.client.library().search(&query, limit, offset)?;
        Ok(found.into_iter().map(Into::into).collect())
    }

    /// R40: the customers owned by this agent.
    pub fn my_customers(&self, limit: u32, offset: u32) -> Result<Vec<Customer>, SeatlineError> {
        let agent = self
            .client
            .status()
            .ok_or(SeatlineError::NotLoggedIn)?
            .profile
            .agent_id;
        let found = self.client.library().my_customers(agent, limit, offset)?;
        Ok(found.into_iter().map(Into::into).collect())
    }

    pub fn customer(&self, id: i64) -> Result<Option<Customer>, SeatlineError> {
        Ok(self.client.library().get(id)?.map(Into::into))
    }

    /// R16: the library's card for a number, if it is there.
    pub fn customer_by_number(&self, number: String) -> Result<Option<Customer>, SeatlineError> {
        let number = PhoneNumber::parse(&number)?;
        Ok(self.client.library().by_mobile(&number)?.map(Into::into))
    }

    /// R15: only the mobile number is needed; without `owned_by_me` the customer is in
    /// the public pool.
    pub fn add_customer(
        &self,
        mobile: String,
        name: Option<String>,
        company: Option<String>,
        title: Option<String>,
        owned_by_me: bool,
    ) -> Result<Customer, SeatlineError> {
        let new = NewCustomer {
            mobile: PhoneNumber::parse(&mobile)?,
            name: text(name)?,
            company: text(company)?,
            title: text(title)?,
            owned_by_me,
        };
        Ok(self.client.add_customer(new)?.into())
    }

    /// Each `Some` sets its field (an empty text clears it); the number cannot change.
    pub fn edit_customer(
        &self,
        id: i64,
        name: Option<String>,
        company: Option<String>,
        title: Option<String>,
    ) -> Result<Customer, SeatlineError> {
        Ok(self.client.edit_card(id, name, company, title)?.into())
    }

    /// R40: take the customer as mine, or return it to the public pool.
    pub fn set_owned_by_me(&self, id: i64, mine: bool) -> Result<Customer, SeatlineError> {
        Ok(self.client.set_owned_by_me(id, mine)?.into())
    }

    /// R15: add a contact method of one of the five kinds.
    pub fn add_contact(
        &self,
        id: i64,
        kind: ContactKind,
        value: String,
    ) -> Result<Customer, SeatlineError> {
        Ok(self
            .client
            .add_contact(
                id,
                NewContact {
                    kind: kind.into(),
                    value,
                },
            )?
            .into())
    }

    pub async fn sync_library(&self) -> Result<SyncReport, SeatlineError> {
        Ok(self.client.sync_library().await?.into())
    }

    /// Events until the handle is cancelled or dropped.
    pub fn subscribe(&self, listener: Arc<dyn EventListener>) -> Arc<SubscriptionHandle> {
        SubscriptionHandle::new(self.client.subscribe(Arc::new(ForwardEvents(listener))))
    }
}
