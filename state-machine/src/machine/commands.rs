//! What the user can do with a download now. The core sends these commands in every
//! snapshot, and the screens show exactly their buttons, so no other part keeps a copy of
//! the machine's transitions. Every command offered here is one the machine accepts in that
//! state (the test below feeds each to the machine); the machine accepts a few more that
//! would only be noise as buttons (Resume during a backoff does what Retry does, for one).

use plexdl_protocol::{Command, DownloadStatus};

/// The commands a download in `status` allows, in the order of their buttons. Play is
/// offered for every finished file; the screens show it where a host can hand a file to a
/// player (the Android app and the desktop both do). Every download can be marked watched,
/// or unwatched once it is (`watched`), whatever its state: an episode watched on another
/// device may still be on its way here, and a rule then handles it as its setting says.
pub fn commands(status: DownloadStatus, watched: bool) -> Vec<Command> {
    Command::ALL
        .into_iter()
        .filter(|command| match command {
            Command::Pause => status.needs_work(),
            Command::Resume => status == DownloadStatus::Paused,
            Command::Cancel => !status.is_finished(),
            Command::Play => status == DownloadStatus::Completed,
            Command::Retry => matches!(status, DownloadStatus::Failed | DownloadStatus::Cancelled),
            Command::MarkWatched => !watched,
            Command::MarkUnwatched => watched,
            Command::Remove => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::{Event, Machine, handle, new_machine};

    /// A machine in every state, reached by the events a download really gets.
    fn machines() -> Vec<Machine> {
        crate::machine::machine_tests::paths_to_every_state()
            .into_iter()
            .map(|(_, events)| {
                let mut machine = new_machine(1);
                for event in &events {
                    handle(&mut machine, event);
                }
                machine
            })
            .collect()
    }

    #[test]
    fn every_offered_command_is_accepted_by_the_machine() {
        let machines = machines();
        let statuses: std::collections::HashSet<DownloadStatus> = machines
            .iter()
            .map(|machine| DownloadStatus::from(machine.state()))
            .collect();
        assert_eq!(
            statuses.len(),
            DownloadStatus::ALL.len(),
            "one machine per status"
        );
        for machine in machines {
            let status = DownloadStatus::from(machine.state());
            for command in commands(status, false) {
                let event = match command {
                    Command::Pause => Event::Pause,
                    Command::Resume => Event::Resume,
                    Command::Cancel => Event::Cancel,
                    Command::Retry => Event::Retry,
                    Command::Remove
                    | Command::Play
                    | Command::MarkWatched
                    | Command::MarkUnwatched => continue,
                };
                let mut probe = machine.clone();
                handle(&mut probe, &event);
                assert_ne!(
                    probe.state(),
                    machine.state(),
                    "{status}: {command:?} is offered but the machine ignores it"
                );
            }
        }
    }

    #[test]
    fn the_buttons_follow_the_state() {
        use Command::*;
        assert_eq!(
            commands(DownloadStatus::Transferring, false),
            [Pause, Cancel, MarkWatched, Remove]
        );
        assert_eq!(
            commands(DownloadStatus::Paused, false),
            [Resume, Cancel, MarkWatched, Remove]
        );
        assert_eq!(
            commands(DownloadStatus::Failed, true),
            [Retry, MarkUnwatched, Remove]
        );
        assert_eq!(
            commands(DownloadStatus::Completed, false),
            [Play, MarkWatched, Remove]
        );
        assert_eq!(
            commands(DownloadStatus::Completed, true),
            [Play, MarkUnwatched, Remove]
        );
    }
}
