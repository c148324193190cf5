//! `request_overhead` under criterion: one call, and a batch of 64 concurrent calls on one
//! shared client, for etna-client and the hand-written reqwest call, against
//! the same local server on the clients' thread (see `LocalServer`).
//! Percentiles and ratios come from the `etna-bench` binary (`cargo xtask
//! bench`), which alternates the sides round by round.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use etna_bench::caller::Caller;
use etna_bench::request::{concurrent, sequential};
use etna_bench::server::LocalServer;

const CONCURRENCY: usize = 64;
const PER_TASK: usize = 10;

fn requests(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("start the client runtime");
    let server = runtime
        .block_on(LocalServer::spawn(Duration::ZERO))
        .expect("start the local server");
    let callers = Caller::both(&server.base_url()).expect("build both clients");

    let mut group = c.benchmark_group("request_sequential");
    group.throughput(Throughput::Elements(1));
    for caller in &callers {
        group.bench_function(caller.name(), |b| {
            b.iter_custom(|iters| {
                runtime
                    .block_on(sequential(caller, iters as usize, &mut Vec::new()))
                    .expect("benchmark request")
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("request_concurrent64");
    group.throughput(Throughput::Elements((CONCURRENCY * PER_TASK) as u64));
    for caller in &callers {
        group.bench_function(caller.name(), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += runtime
                        .block_on(concurrent(caller, CONCURRENCY, PER_TASK))
                        .expect("benchmark requests");
                }
                total
            })
        });
    }
    group.finish();
}

criterion_group!(benches, requests);
criterion_main!(benches);
