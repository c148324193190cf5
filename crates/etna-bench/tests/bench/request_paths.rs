//! Both request paths (and every prototype step) really make the call against
//! the benchmark server: a path that failed or skipped work would be timed as
//! faster than it is. No timing here.

use std::sync::Arc;

use etna_bench::caller::Caller;
use etna_bench::prototype::{Prototype, Steps};
use etna_bench::request::{RequestPlan, compare_callers, concurrent, sequential};
use etna_bench::server::EnvelopeServer;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn both_sides_get_the_token_sequentially_and_concurrently() {
    let server = EnvelopeServer::start().unwrap();
    let runtime = runtime();
    for caller in Caller::both(&server.base_url()).unwrap() {
        let mut latencies = Vec::new();
        runtime
            .block_on(sequential(&caller, 5, &mut latencies))
            .unwrap_or_else(|e| panic!("{}: {e}", caller.name()));
        assert_eq!(latencies.len(), 5);
        runtime
            .block_on(concurrent(&caller, 8, 2))
            .unwrap_or_else(|e| panic!("{}: {e}", caller.name()));
    }
}

#[test]
fn every_prototype_variant_gets_the_token() {
    let server = EnvelopeServer::start().unwrap();
    let runtime = runtime();
    let all = Steps {
        format_url: true,
        api_version_header: true,
        request_timeout: true,
        validate_code: true,
        cap_body: true,
        cap_unless_length_fits: false,
        clone_headers: true,
    };
    let fixed = Steps {
        cap_body: false,
        cap_unless_length_fits: true,
        ..all
    };
    for steps in [Steps::default(), all, fixed] {
        let prototype = Prototype::new("test", &server.base_url(), steps).unwrap();
        runtime
            .block_on(prototype.call())
            .unwrap_or_else(|e| panic!("{steps:?}: {e}"));
    }
}

#[test]
fn a_call_the_server_refuses_fails_the_benchmark() {
    let server = EnvelopeServer::start().unwrap();
    // Wrong route: the server answers 404, which neither side may count as a call.
    let base = format!("{}/elsewhere", server.base_url());
    let runtime = runtime();
    for caller in Caller::both(&base).unwrap() {
        assert!(
            runtime.block_on(caller.call()).is_err(),
            "{} accepted a 404",
            caller.name()
        );
    }
}

#[test]
fn a_comparison_reports_every_timed_call() {
    let server = EnvelopeServer::start().unwrap();
    let plan = RequestPlan {
        warmup: 2,
        rounds: 3,
        per_round: 4,
        concurrency: 4,
        per_task: 2,
        throughput_rounds: 2,
    };
    let base = server.base_url();
    let handwritten = Caller::both(&base).unwrap()[1].clone();
    let prototype = Caller::Prototype(Arc::new(
        Prototype::new("prototype", &base, Steps::default()).unwrap(),
    ));
    let report = runtime()
        .block_on(compare_callers([prototype, handwritten], plan))
        .unwrap();
    assert_eq!(report.generated.samples, 12);
    assert_eq!(report.handwritten.samples, 12);
    assert_eq!(report.generated.name, "prototype");
    assert!(report.generated.p50 <= report.generated.p99);
    assert!(report.generated.throughput > 0.0 && report.handwritten.throughput > 0.0);
}
