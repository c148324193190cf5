//! The load itself: one worker task per account, each looping whole flows
//! (the reset's four steps, sign-in with the new password, a Bearer call),
//! every request timed on its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use etna_client::{Operation, Secret, SignIn};
use tokio::task::JoinSet;

use super::{DRAIN_EVERY_FLOWS, OutboxPolicy, REQUESTS_PER_FLOW, STEPS, Shared, WorkerResult};

/// The login of account `index`.
pub(super) fn login(index: usize) -> String {
    format!("trader{index}")
}

/// Runs flows `first..first + flows` on one worker per account (given its
/// results of the previous phase, to reuse their room); each worker takes the
/// next flow number until none is left.
pub(super) async fn phase(
    shared: &Arc<Shared>,
    workers: Vec<WorkerResult>,
    first: usize,
    flows: usize,
) -> Result<Vec<WorkerResult>, tokio::task::JoinError> {
    let next = Arc::new(AtomicUsize::new(first));
    let end = first + flows;
    let count = workers.len();
    let mut set = JoinSet::new();
    for (account, result) in workers.into_iter().enumerate() {
        let (shared, next) = (shared.clone(), next.clone());
        set.spawn(async move { (account, worker(&shared, account, result, &next, end).await) });
    }
    let mut results: Vec<WorkerResult> = (0..count).map(|_| WorkerResult::default()).collect();
    while let Some(joined) = set.join_next().await {
        let (account, result) = joined?;
        results[account] = result;
    }
    Ok(results)
}

/// One account's flows, one after the other.
async fn worker(
    shared: &Shared,
    account: usize,
    mut result: WorkerResult,
    next: &AtomicUsize,
    end: usize,
) -> WorkerResult {
    let login = login(account);
    result.samples.iter_mut().for_each(Vec::clear);
    result.failures = 0;
    loop {
        let flow = next.fetch_add(1, Ordering::Relaxed);
        if flow >= end {
            break;
        }
        match one_flow(shared, account, &login, flow, &mut result.samples).await {
            Ok(password) => result.last_password = Some(password),
            Err(failure) => {
                result.failures += 1;
                result.first_failure.get_or_insert(failure);
            }
        }
        let completed = shared.completed.fetch_add(1, Ordering::Relaxed) + 1;
        if shared.policy == OutboxPolicy::Drained && completed.is_multiple_of(DRAIN_EVERY_FLOWS) {
            let _gate = shared.gate.write().await;
            shared.server.take_outbox();
            shared.drains.fetch_add(1, Ordering::Relaxed);
        }
    }
    result
}

/// The four steps of the reset for `login` (etna-client's
/// [`PasswordReset`](etna_client::PasswordReset)), then sign-in with the
/// new password and a call that needs the session, each timed on its own;
/// the new password.
async fn one_flow(
    shared: &Shared,
    account: usize,
    login: &str,
    flow: usize,
    samples: &mut [Vec<Duration>; REQUESTS_PER_FLOW],
) -> Result<String, String> {
    let client = &shared.clients[account];
    let reset = client.password_reset();
    let fail = |step: usize, e: &dyn std::fmt::Display| format!("{} ({login}): {e}", STEPS[step]);
    let code = {
        let _gate = shared.gate.read().await;
        timed(&mut samples[0], reset.request_code(login, None).call())
            .await
            .map_err(|e| fail(0, &e))?;
        shared
            .server
            .last_code_for(login)
            .ok_or_else(|| fail(0, &"no code in the outbox"))?
    };
    let question = timed(&mut samples[1], reset.secret_question(login).call())
        .await
        .map_err(|e| fail(1, &e))?;
    if !question.is_empty() {
        return Err(fail(1, &format!("unexpected question {question:?}")));
    }
    let token = timed(&mut samples[2], reset.reset_token(code).call())
        .await
        .map_err(|e| fail(2, &e))?;
    let password = format!("pw-{flow}");
    let request = reset.set_password(token, password.as_str());
    timed(&mut samples[3], request.call())
        .await
        .map_err(|e| fail(3, &e))?;
    let secret = Secret::from(password.as_str());
    match timed(&mut samples[4], client.sign_in(login, &secret))
        .await
        .map_err(|e| fail(4, &e))?
    {
        SignIn::SignedIn(_) => {}
        other => return Err(fail(4, &format!("not signed in: {other:?}"))),
    }
    timed(&mut samples[5], client.list_security_images().call())
        .await
        .map_err(|e| fail(5, &e))?;
    Ok(password)
}

/// Awaits `call` and records how long it took.
async fn timed<T>(samples: &mut Vec<Duration>, call: impl Future<Output = T>) -> T {
    let start = Instant::now();
    let out = call.await;
    samples.push(start.elapsed());
    out
}
