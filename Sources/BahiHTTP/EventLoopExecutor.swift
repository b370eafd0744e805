/// A task executor that runs jobs on one `EventLoop`.
///
/// Why: a handler that suspends (every write waits for the store's group commit) would
/// otherwise resume on the cooperative pool and then hop to its connection's loop to write
/// the response: two thread wake-ups per request, one of them paid on the store's writer
/// thread. With this executor as the handler task's preference it resumes directly on the
/// connection's loop (one `eventfd` write, skipped when a wake-up is already pending) and
/// writes the response there. Work isolated to an actor still runs on that actor; only
/// nonisolated async code (the handlers) comes here.
///
/// The executor owns its loop (strongly): a task that outlives the server may still hold it
/// as its preference, and a stopped loop forwards late jobs to a global queue.
final class EventLoopExecutor: TaskExecutor {
    let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        loop.enqueue(.task(UnownedJob(job), asUnownedTaskExecutor()))
    }

    /// True when the calling code runs on this executor's loop thread.
    var isCurrent: Bool { loop.inLoop }
}
