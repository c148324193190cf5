//! Every request path (both sides of every call, the generated `send()`, and
//! the hand-written call with each of etna-client's steps) really makes the
//! call against the benchmark server: a path that failed or skipped work
//! would be timed as faster than it is. No timing here.

use etna_bench::caller::{Call, Caller};
use etna_bench::request::{RequestPlan, compare_callers, concurrent, sequential};
use etna_bench::server::EnvelopeServer;
use etna_bench::steps::{Step, StepCall};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn both_sides_of_every_call_succeed_sequentially_and_concurrently() {
    let server = EnvelopeServer::start().unwrap();
    let runtime = runtime();
    for call in Call::ALL {
        for caller in Caller::both_for(&server.base_url(), call).unwrap() {
            let mut latencies = Vec::new();
            runtime
                .block_on(sequential(&caller, 5, &mut latencies))
                .unwrap_or_else(|e| panic!("{} {call:?}: {e}", caller.name()));
            assert_eq!(latencies.len(), 5);
            runtime
                .block_on(concurrent(&caller, 8, 2))
                .unwrap_or_else(|e| panic!("{} {call:?}: {e}", caller.name()));
        }
    }
}

#[test]
fn the_generated_send_and_every_step_get_the_token() {
    let server = EnvelopeServer::start().unwrap();
    let base = server.base_url();
    let runtime = runtime();
    let mut callers = vec![Caller::Send(Caller::client(&base).unwrap())];
    for step in Step::ALL {
        let call = StepCall::new(step, &base).unwrap();
        assert_eq!(call.step(), step);
        callers.push(Caller::Step(call));
    }
    for caller in callers {
        runtime
            .block_on(caller.call())
            .unwrap_or_else(|e| panic!("{}: {e}", caller.name()));
    }
}

#[test]
fn a_call_the_server_refuses_fails_the_benchmark() {
    let server = EnvelopeServer::start().unwrap();
    // Wrong route: the server answers 404, which no path may count as a call.
    let base = format!("{}/elsewhere", server.base_url());
    let runtime = runtime();
    let mut callers: Vec<Caller> = Call::ALL
        .into_iter()
        .flat_map(|call| Caller::both_for(&base, call).unwrap())
        .collect();
    callers.push(Caller::Send(Caller::client(&base).unwrap()));
    for step in Step::ALL {
        callers.push(Caller::Step(StepCall::new(step, &base).unwrap()));
    }
    for caller in callers {
        assert!(
            runtime.block_on(caller.call()).is_err(),
            "{} accepted a 404",
            caller.name()
        );
    }
}

/// 12 timed calls per side, two throughput rounds of 8.
const TINY: RequestPlan = RequestPlan {
    warmup: 2,
    rounds: 3,
    per_round: 4,
    concurrency: 4,
    per_task: 2,
    throughput_rounds: 2,
};

#[test]
fn a_comparison_reports_every_timed_call() {
    let server = EnvelopeServer::start().unwrap();
    let plan = TINY;
    let base = server.base_url();
    let step = Caller::Step(StepCall::new(Step::None, &base).unwrap());
    let handwritten = Caller::handwritten(&base, Call::ResetToken).unwrap();
    let report = runtime()
        .block_on(compare_callers([step, handwritten], plan))
        .unwrap();
    assert_eq!(report.generated.samples, 12);
    assert_eq!(report.handwritten.samples, 12);
    assert_eq!(report.generated.name, "handwritten_with_step");
    assert!(report.generated.p50 <= report.generated.p99);
    assert!(report.generated.throughput > 0.0 && report.handwritten.throughput > 0.0);
}

#[test]
fn the_control_times_the_hand_written_call_on_both_sides() {
    let plan = TINY;
    for call in Call::ALL {
        let report = etna_bench::request::control(plan, call).unwrap();
        for side in [&report.generated, &report.handwritten] {
            assert_eq!(side.name, "handwritten", "{call:?}");
            assert_eq!(side.samples, 12, "{call:?}");
            assert!(side.p50 <= side.p99 && side.throughput > 0.0, "{call:?}");
        }
    }
}
