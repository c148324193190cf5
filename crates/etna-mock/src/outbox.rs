//! The mock's outbox: the codes it "sent" by email or SMS, standing in for
//! the trader's mailbox and phone. Bounded: past its capacity the oldest
//! message goes.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;
use tokio::sync::broadcast;

/// A code the mock "sent": a confirmation code of step 1 of the reset flow
/// (or one the accounts file says was mailed before the server started),
/// or the verification code of a two-factor sign-in.
///
/// The codes are the mock's own, not credentials, so they are shown: reading
/// them is what the outbox is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mail {
    /// The login of the account.
    pub login: String,
    /// The account's email (its login when it has none), or its phone for
    /// an SMS.
    pub to: String,
    /// The confirmation code for step 3, or the verification code for the
    /// second sign-in call.
    pub code: String,
    /// How it was sent.
    pub channel: Channel,
}

/// How a [`Mail`] was sent. Reset codes always go by email, as documented;
/// a two-factor sign-in code by the account's setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Channel {
    /// By email.
    Email,
    /// By SMS.
    Sms,
}

pub(crate) struct Outbox {
    messages: Mutex<VecDeque<Mail>>,
    capacity: usize,
    arrivals: broadcast::Sender<Mail>,
}

impl Outbox {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            messages: Mutex::new(VecDeque::new()),
            capacity: capacity.max(1),
            arrivals: broadcast::channel(256).0,
        }
    }

    pub(crate) fn send(&self, mail: Mail) {
        {
            let mut messages = self.lock();
            if messages.len() == self.capacity {
                messages.pop_front();
            }
            messages.push_back(mail.clone());
        }
        // No subscriber is fine: the message is kept above.
        let _ = self.arrivals.send(mail);
    }

    pub(crate) fn messages(&self) -> Vec<Mail> {
        self.lock().iter().cloned().collect()
    }

    /// The newest message for which `pick` holds, without copying the rest.
    pub(crate) fn newest(&self, pick: impl Fn(&Mail) -> bool) -> Option<Mail> {
        self.lock().iter().rev().find(|mail| pick(mail)).cloned()
    }

    pub(crate) fn take(&self) -> Vec<Mail> {
        self.lock().drain(..).collect()
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Mail> {
        self.arrivals.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Mail>> {
        // A panic while holding the lock cannot leave the queue half-changed.
        self.messages.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(code: &str) -> Mail {
        Mail {
            login: "a".into(),
            to: "a@example.com".into(),
            code: code.into(),
            channel: Channel::Email,
        }
    }

    #[test]
    fn past_its_capacity_the_oldest_message_goes() {
        let outbox = Outbox::new(2);
        for code in ["1", "2", "3"] {
            outbox.send(mail(code));
        }
        let codes: Vec<_> = outbox.messages().into_iter().map(|m| m.code).collect();
        assert_eq!(codes, ["2", "3"]);
        assert_eq!(outbox.take().len(), 2);
        assert!(outbox.messages().is_empty());
    }

    #[tokio::test]
    async fn subscribers_see_mail_as_it_arrives() {
        let outbox = Outbox::new(8);
        let mut arrivals = outbox.subscribe();
        outbox.send(mail("7"));
        assert_eq!(arrivals.recv().await.unwrap().code, "7");
    }
}
