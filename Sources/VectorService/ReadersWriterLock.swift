#if canImport(Glibc)
import Glibc
#endif

/// A pthread readers-writer lock that prefers writers, so a steady stream of searches cannot
/// starve inserts. Non-recursive: never take the read lock twice on one thread.
final class ReadersWriterLock: @unchecked Sendable {
    private let rw: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        rw = .allocate(capacity: 1)
        var attr = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attr)
        #if os(Linux)
        pthread_rwlockattr_setkind_np(&attr, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        pthread_rwlock_init(rw, &attr)
        pthread_rwlockattr_destroy(&attr)
    }

    deinit {
        pthread_rwlock_destroy(rw)
        rw.deallocate()
    }

    @inline(__always)
    func withReadLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(rw)
        defer { pthread_rwlock_unlock(rw) }
        return try body()
    }

    /// Lets a waiting writer in, then takes the read lock again. Only for a thread that holds the
    /// read lock; everything read under it may have changed afterwards.
    @inline(__always)
    func yieldReadLock() {
        pthread_rwlock_unlock(rw)
        pthread_rwlock_rdlock(rw)
    }

    @inline(__always)
    func withWriteLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(rw)
        defer { pthread_rwlock_unlock(rw) }
        return try body()
    }
}
