//! Every bridge method as a type: its name, its parameters and its result. The core's
//! dispatcher routes over these types, the UI calls `call::<DownloadsPause>(params)`, and the
//! examples test checks every example in fixtures/bridge against the method it names.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{
    Diagnostics, DownloadId, DownloadSnapshot, EnqueueParams, Estimate, EstimateParams, ItemDetail,
    ItemPage, ItemRef, ItemSummary, ItemsParams, KeepRule, KeepRuleParams, PinInfo, PinRef,
    PositionParams, RebuildReport, RuleId, SectionSummary, ServerRef, ServerSummary,
    SettingsChange, SettingsView, SignInState, StorageUse, VerifyOptions, VerifyReport,
};

/// One bridge method.
pub trait Method {
    /// The name in requests (`downloads.pause`).
    const NAME: &'static str;
    /// What the request's `params` hold.
    type Params: Serialize + DeserializeOwned;
    /// What the answer's `result` holds.
    type Result: Serialize + DeserializeOwned;
}

/// The parameters of a method that takes none (any object is accepted, `{}` is sent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoParams {}

/// The result of a method that answers nothing more than success (`{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {}

/// The result of `downloads.enqueue`: the ids of the downloads, new or already there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Enqueued {
    pub ids: Vec<i64>,
}

/// The result of `downloads.remove`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Removed {
    pub removed: i64,
}

macro_rules! methods {
    ($($(#[$doc:meta])* $name:ident = $wire:literal, $params:ty => $result:ty;)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct $name;

            impl Method for $name {
                const NAME: &'static str = $wire;
                type Params = $params;
                type Result = $result;
            }
        )*

        /// Every method's name, for the dispatcher's "unknown method" answer and the tests.
        pub const METHODS: &[&str] = &[$($wire),*];
    };
}

methods! {
    /// Whether a sign-in is saved, and the PIN waiting to be confirmed.
    SignInStatus = "signIn.status", NoParams => SignInState;
    /// Starts a PIN sign-in.
    SignInStart = "signIn.start", NoParams => PinInfo;
    /// Asks plex.tv whether the PIN was confirmed.
    SignInPoll = "signIn.poll", PinRef => SignInState;
    /// Forgets the sign-in.
    SignOut = "signOut", NoParams => Done;
    /// The connected servers.
    ServersList = "servers.list", NoParams => Vec<ServerSummary>;
    /// A server's library sections.
    LibrarySections = "library.sections", ServerRef => Vec<SectionSummary>;
    /// A page of a section's items.
    LibraryItems = "library.items", ItemsParams => ItemPage;
    /// One item.
    LibraryItem = "library.item", ItemRef => ItemDetail;
    /// The seasons of a show, the episodes of a season.
    LibraryChildren = "library.children", ItemRef => Vec<ItemSummary>;
    /// Queues downloads (a show or season queues every episode).
    DownloadsEnqueue = "downloads.enqueue", EnqueueParams => Enqueued;
    /// Every download.
    DownloadsList = "downloads.list", NoParams => Vec<DownloadSnapshot>;
    /// Pauses a download.
    DownloadsPause = "downloads.pause", DownloadId => DownloadSnapshot;
    /// Resumes a paused download.
    DownloadsResume = "downloads.resume", DownloadId => DownloadSnapshot;
    /// Cancels a download (its partial file is removed).
    DownloadsCancel = "downloads.cancel", DownloadId => DownloadSnapshot;
    /// Tries a failed or cancelled download again.
    DownloadsRetry = "downloads.retry", DownloadId => DownloadSnapshot;
    /// Deletes a download and its files.
    DownloadsRemove = "downloads.remove", DownloadId => Removed;
    /// Records that a download's item was watched; its server hears of it when it can be
    /// reached.
    DownloadsMarkWatched = "downloads.markWatched", DownloadId => DownloadSnapshot;
    /// Records that a download's item was not watched.
    DownloadsMarkUnwatched = "downloads.markUnwatched", DownloadId => DownloadSnapshot;
    /// Records where playback of a download stopped (what a player handed back).
    DownloadsSetPosition = "downloads.setPosition", PositionParams => DownloadSnapshot;
    /// Compares the downloads with the files on disk and repairs what differs (with
    /// `deep`, also each finished file's content).
    DownloadsVerify = "downloads.verify", VerifyOptions => VerifyReport;
    /// Rebuilds a damaged list of downloads from the files beside the downloads (the old
    /// database is kept under a dated name); running downloads stop first.
    DownloadsRebuild = "downloads.rebuild", NoParams => RebuildReport;
    /// How downloads run right now: why they are slower than they could be, a downloads
    /// folder that is not there.
    DownloadsBackground = "downloads.background", NoParams => crate::BackgroundState;
    /// What the download dialog shows before anything is queued.
    DownloadsEstimate = "downloads.estimate", EstimateParams => Estimate;
    /// The space downloads take, the free space and the storage limit for rules.
    DownloadsStorage = "downloads.storage", NoParams => StorageUse;
    /// Sets the storage limit for rules (or none).
    StorageSetBudget = "storage.setBudget", crate::BudgetParams => StorageUse;
    /// Every keep rule.
    RulesList = "rules.list", NoParams => Vec<KeepRule>;
    /// Keeps the next unwatched episodes of a show or season downloaded (or changes the
    /// rule it has); the rule is applied at once.
    RulesSet = "rules.set", KeepRuleParams => KeepRule;
    /// Removes a rule; the downloads it queued stay.
    RulesRemove = "rules.remove", RuleId => Done;
    /// The settings.
    SettingsGet = "settings.get", NoParams => SettingsView;
    /// Changes settings.
    SettingsSet = "settings.set", SettingsChange => SettingsView;
    /// Versions, folders and recent log lines.
    DiagnosticsGet = "diagnostics.get", NoParams => Diagnostics;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_no_params_accepts_any_object() {
        let unique: std::collections::HashSet<_> = METHODS.iter().collect();
        assert_eq!(unique.len(), METHODS.len());
        assert_eq!(DownloadsPause::NAME, "downloads.pause");
        let _: NoParams = serde_json::from_value(serde_json::json!({"extra": 1})).expect("lenient");
        assert_eq!(
            serde_json::to_string(&Done {}).expect("prints"),
            "{}",
            "an empty answer"
        );
    }
}
