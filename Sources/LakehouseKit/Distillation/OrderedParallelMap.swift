import Dispatch
import Foundation
import Synchronization

/// Maps a batch of independent items on several threads and returns the results in input order,
/// so the bytes written afterwards are exactly those of a sequential map (distillation's outputs
/// must be byte-identical for the same input). Blocks the caller: call it from a dispatch queue,
/// never from Swift's cooperative pool.
public enum OrderedParallelMap {
    /// Threads worth using on this machine (its active processors).
    public static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    public static func map<T, R>(_ items: [T], threads: Int = defaultThreads, _ transform: (T) -> R) -> [R] {
        let count = items.count
        let workers = min(max(threads, 1), count)
        if workers <= 1 { return items.map(transform) }
        var results = [R?](repeating: nil, count: count)
        let next = Atomic<Int>(0)
        results.withUnsafeMutableBufferPointer { output in
            items.withUnsafeBufferPointer { input in
                withoutActuallyEscaping(transform) { transform in
                    // Each index is claimed by exactly one thread, so the writes never overlap.
                    let shared = SharedForWorkers((transform, input, output))
                    DispatchQueue.concurrentPerform(iterations: workers) { _ in
                        let (transform, input, output) = shared.value
                        while true {
                            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                            if index >= count { break }
                            output[index] = transform(input[index])
                        }
                    }
                }
            }
        }
        return results.map { $0! }
    }
}

/// Values handed to `concurrentPerform`'s workers while the caller blocks until they finish.
private struct SharedForWorkers<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
