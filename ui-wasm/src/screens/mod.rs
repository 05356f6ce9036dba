//! One module per screen.

pub mod diagnostics;
#[path = "downloadDialog.rs"]
pub mod download_dialog;
pub mod downloads;
#[path = "itemDetail.rs"]
pub mod item_detail;
#[path = "keepDialog.rs"]
pub mod keep_dialog;
pub mod library;
pub mod servers;
pub mod settings;
#[path = "signIn.rs"]
pub mod sign_in;
