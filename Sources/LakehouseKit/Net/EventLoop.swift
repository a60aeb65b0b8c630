import CEpoll
import Foundation
import Glibc
import Synchronization

/// Something registered with an event loop: a listening socket, a server connection, a client connection.
/// Called only on its loop's thread.
protocol EventLoopHandler: AnyObject {
    func handleEvents(_ events: UInt32)
}

/// One thread running epoll. Sockets are registered edge-triggered for read, write and hang-up once,
/// so serving a request costs no epoll_ctl calls. Work from other threads (handler results, client
/// requests) arrives through `execute`, which wakes the loop with an eventfd.
///
/// Everything registered with a loop is touched only on that loop's thread; that confinement is what
/// makes the `@unchecked Sendable` below sound.
public final class EventLoop: @unchecked Sendable {
    let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    private let pending = Mutex<[@Sendable () -> Void]>([])
    /// Set while a wake-up is already in flight, so a burst of `execute` calls costs one eventfd write.
    private let wakePending = Atomic<Bool>(false)
    private let running = Atomic<Bool>(true)
    private var handlers: [Int32: any EventLoopHandler] = [:]
    private var tickHandlers: [ObjectIdentifier: (UInt64) -> Void] = [:]
    /// One-shot timers (`schedule`), loop thread only; few at a time, so a plain list.
    private var timers: [(deadline: UInt64, work: @Sendable () -> Void)] = []
    /// The loop thread's `pthread_t` (0 until it runs): read from any thread by `inLoop`.
    private let threadID = Atomic<UInt>(0)
    /// Scratch space for socket reads by everything on this loop (server and client connections):
    /// one buffer per loop thread, never one per read.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private let finished = DispatchSemaphore(value: 0)
    /// How often registered tick handlers run (timeouts are checked at this granularity).
    static let tickNanoseconds: UInt64 = 100_000_000

    init(index: Int) throws(SystemError) {
        self.index = index
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw SystemError("epoll_create1") }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else { throw SystemError("eventfd") }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLET.rawValue
        event.data.fd = wakeFD
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
    }

    deinit {
        close(epollFD)
        close(wakeFD)
        readBuffer.deallocate()
    }

    func start() {
        let thread = Thread { [self] in
            self.threadID.store(pthread_self(), ordering: .releasing)
            self.run()
            self.finished.signal()
        }
        thread.name = "lakehouse-loop-\(index)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// True on this loop's own thread.
    public var inLoop: Bool {
        let id = threadID.load(ordering: .acquiring)
        return id != 0 && pthread_equal(id, pthread_self()) != 0
    }

    /// Runs `work` on the loop thread, soon. Safe from any thread. From the loop thread itself it
    /// costs no wake-up: the loop drains its queue before it waits again.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        pending.withLock { $0.append(work) }
        if inLoop { return }
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            var one: UInt64 = 1
            _ = Glibc.write(wakeFD, &one, 8)
        }
    }

    /// Runs `work` on the loop thread and returns once it has run.
    public func run(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            execute {
                work()
                continuation.resume()
            }
        }
    }

    /// Runs `work` on a task (Swift's cooperative pool) and delivers its result back on this loop:
    /// the slow path of a callback handler.
    public func runTask<T: Sendable>(_ work: @escaping @Sendable () async throws -> T, then deliver: @escaping @Sendable (Result<T, any Error>) -> Void) {
        Task {
            let result: Result<T, any Error>
            do {
                result = .success(try await work())
            } catch {
                result = .failure(error)
            }
            self.execute { deliver(result) }
        }
    }

    /// Runs `work` on the loop thread once `nanoseconds` have passed (to the millisecond, the
    /// granularity of the loop's wait). Safe from any thread; from the loop thread it costs no
    /// system call (no timer file, no other thread woken), unlike a dispatch timer.
    public func schedule(afterNanoseconds nanoseconds: UInt64, _ work: @escaping @Sendable () -> Void) {
        let deadline = MonotonicClock.nanoseconds() + nanoseconds
        if inLoop {
            timers.append((deadline, work))
        } else {
            execute { [self] in timers.append((deadline, work)) }
        }
    }

    /// Stops the loop after the work queued so far; waits for its thread to end.
    func stop() {
        execute { [self] in running.store(false, ordering: .releasing) }
        finished.wait()
    }

    // MARK: Registration (loop thread only)

    func register(fd: Int32, handler: any EventLoopHandler, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        handlers[fd] = handler
        if epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) != 0 {
            handlers[fd] = nil
        }
    }

    func modify(fd: Int32, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    func deregister(fd: Int32) {
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
        handlers[fd] = nil
    }

    /// `tick` runs on the loop thread about every 100 ms with the monotonic time; used for timeouts.
    func addTickHandler(_ owner: AnyObject, _ tick: @escaping (UInt64) -> Void) {
        tickHandlers[ObjectIdentifier(owner)] = tick
    }

    func removeTickHandler(_ owner: AnyObject) {
        tickHandlers[ObjectIdentifier(owner)] = nil
    }

    static let connectionEvents: UInt32 = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue

    // MARK: The loop

    private func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        var nextTick = MonotonicClock.nanoseconds() + EventLoop.tickNanoseconds
        while running.load(ordering: .acquiring) {
            let now = MonotonicClock.nanoseconds()
            var wakeAt = nextTick
            for timer in timers where timer.deadline < wakeAt { wakeAt = timer.deadline }
            let timeoutMs = now >= wakeAt ? 0 : Int32((wakeAt - now + 999_999) / 1_000_000)
            let count = epoll_wait(epollFD, events, Int32(capacity), timeoutMs)
            if count < 0 && errno != EINTR { break }
            if count > 0 {
                for i in 0..<Int(count) {
                    let fd = events[i].data.fd
                    if fd == wakeFD {
                        var value: UInt64 = 0
                        _ = Glibc.read(wakeFD, &value, 8)
                        continue
                    }
                    handlers[fd]?.handleEvents(events[i].events)
                }
            }
            runPending()
            if !timers.isEmpty { runDueTimers() }
            let after = MonotonicClock.nanoseconds()
            if after >= nextTick {
                for tick in Array(tickHandlers.values) { tick(after) }
                nextTick = after + EventLoop.tickNanoseconds
                runPending()  // what the tick handlers queued (from the loop thread: no wake-up)
            }
        }
        runPending()
    }

    private func runDueTimers() {
        let now = MonotonicClock.nanoseconds()
        var due: [@Sendable () -> Void] = []
        timers.removeAll { timer in
            guard timer.deadline <= now else { return false }
            due.append(timer.work)
            return true
        }
        guard !due.isEmpty else { return }
        for work in due { work() }
        runPending()  // what the timers queued
    }

    private func runPending() {
        // Clear the flag before draining: an `execute` racing with the drain then writes the eventfd
        // again, so no work is ever left waiting for a wake-up that already happened.
        wakePending.store(false, ordering: .releasing)
        while true {
            let work = pending.withLock { queue -> [@Sendable () -> Void] in
                let taken = queue
                queue.removeAll(keepingCapacity: true)
                return taken
            }
            if work.isEmpty { return }
            for item in work { item() }
        }
    }
}

/// An event loop is also a task executor: a task that prefers it (`Task(executorPreference:)`, the
/// router's `onLoop` routes) runs its jobs on the loop thread, between socket events, so its peer
/// calls through the loop's own client pool and its answer never cross a thread. Such a task must
/// not block and should compute little: while it runs, the loop's other connections wait.
extension EventLoop: TaskExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        execute { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}

/// A fixed set of event loops, one per core by default; connections are spread across them.
public final class EventLoopGroup: Sendable {
    let loops: [EventLoop]
    private let nextIndex = Atomic<Int>(0)

    public init(threads: Int) throws(SystemError) {
        var loops: [EventLoop] = []
        for index in 0..<max(1, threads) {
            loops.append(try EventLoop(index: index))
        }
        self.loops = loops
        for loop in loops { loop.start() }
    }

    /// The loop whose thread this is, if any.
    public var current: EventLoop? {
        loops.first { $0.inLoop }
    }

    /// Round-robin choice of a loop.
    public func next() -> EventLoop {
        let index = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
        return loops[index % loops.count]
    }

    public func shutdown() {
        for loop in loops { loop.stop() }
    }

    /// One group for the whole process: server and client share the daemon's loops.
    public static let shared: EventLoopGroup = {
        let threads = ProcessInfo.processInfo.environment["LAKEHOUSE_EVENT_LOOPS"].flatMap(Int.init)
            ?? ProcessInfo.processInfo.activeProcessorCount
        do {
            return try EventLoopGroup(threads: min(max(threads, 1), 64))
        } catch {
            fatalError("cannot start event loops: \(error)")
        }
    }()
}
