//! The runtime the many-writer benches run on (`store-sqlite/benches/audit.rs`,
//! and the intake benches of both backends): two workers, as the machine a
//! city runs the server on has two cores, so that many tasks at once contend
//! as they do in the server. Included by `#[path]`.

/// Runs `run` to its end on a runtime of two workers.
pub fn block_on<F: std::future::Future>(run: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(run)
}
