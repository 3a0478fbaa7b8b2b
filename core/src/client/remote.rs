//! The platform client as the library's `CustomerRemote`.

use crate::library::{CustomerRemote, RemoteError};
use crate::platform::PlatformClient;
use seatline_proto::{
    paths, ChangesQuery, Customer, CustomerChanges, CustomerPatch, NewContact, NewCustomer,
    PatchOutcome,
};

impl CustomerRemote for PlatformClient {
    async fn create(&self, c: &NewCustomer) -> Result<Customer, RemoteError> {
        self.post(paths::CUSTOMERS, c).await
    }

    async fn patch(&self, id: i64, p: &CustomerPatch) -> Result<PatchOutcome, RemoteError> {
        self.patch_json(&paths::customer(id), p).await
    }

    async fn add_contact(&self, id: i64, c: &NewContact) -> Result<Customer, RemoteError> {
        self.post(&paths::customer_contacts(id), c).await
    }

    async fn changes(&self, since: i64, limit: u32) -> Result<CustomerChanges, RemoteError> {
        self.get_query(
            paths::CUSTOMER_CHANGES,
            &ChangesQuery {
                since,
                limit: Some(limit),
            },
        )
        .await
    }
}
