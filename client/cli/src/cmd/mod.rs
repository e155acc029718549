//! One module per noun of the command line.

pub mod account;
pub mod onboard;
pub mod record;
