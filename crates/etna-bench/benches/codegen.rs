//! `codegen_scaling` under criterion: parse + generate + format of synthetic specs with 1,
//! 10, 100 and 1000 operations. Throughput is in operations, so criterion's
//! "thrpt" column is the per-operation rate that should stay flat. The
//! 1000-operation spec takes seconds per run, so it gets criterion's minimum of
//! 10 samples.

use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use etna_bench::codegen::generate;
use etna_bench::synthetic;

fn codegen(c: &mut Criterion) {
    let mut group = c.benchmark_group("codegen");
    group.sampling_mode(SamplingMode::Flat);
    for copies in [1usize, 10, 100, 250] {
        let operations = copies * synthetic::real_operations();
        let text = synthetic::spec(copies).expect("build the synthetic spec");
        if operations >= 100 {
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(20));
        }
        group.throughput(Throughput::Elements(operations as u64));
        group.bench_with_input(BenchmarkId::from_parameter(operations), &text, |b, text| {
            b.iter(|| generate(text).expect("generate the client"))
        });
    }
    group.finish();
}

criterion_group!(benches, codegen);
criterion_main!(benches);
