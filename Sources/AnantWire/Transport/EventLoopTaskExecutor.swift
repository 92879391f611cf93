import NIOCore

/// A task executor whose jobs run on one event loop: a client's calls from
/// `RPCClient.onConnectionLoop`, a server's methods placed on the connection's loop
/// (`RPCMethod.Placement.connectionLoop`). A job enqueued from the loop itself runs later
/// in the same turn of the loop, without waking it.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
