//! One module per noun of the command line.

pub mod account;
pub mod audit;
pub mod emergency;
pub mod grant;
pub mod onboard;
pub mod org;
pub mod record;
