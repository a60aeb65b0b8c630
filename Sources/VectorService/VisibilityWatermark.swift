import Synchronization

/// Visibility follows durability: a node becomes visible to searches only once the log record that
/// created it is fsynced, so a search never returns an item a crash would lose. Nodes are appended
/// in log order (both under the graph's write lock), so visibility is one watermark over node
/// numbers: every node below it is durable. Commits queue (node, lsn); the log's committer reports
/// each durable lsn and the watermark moves past every queued node it covers.
final class VisibilityWatermark: Sendable {
    private struct Queue {
        var pending: [(node: UInt32, lsn: UInt64)] = []
        var head = 0
        var durable: UInt64 = 0
    }

    private let queue = Mutex(Queue())
    private let visible = Atomic<Int>(0)

    /// Nodes below this are visible.
    var limit: Int { visible.load(ordering: .acquiring) }

    /// Node `node` was committed with log sequence number `lsn` (0: already durable, as in
    /// recovery). Call in node order.
    func committed(node: UInt32, lsn: UInt64) {
        queue.withLock { q in
            q.pending.append((node, lsn))
            advance(&q)
        }
    }

    /// Everything up to `lsn` is on disk.
    func durable(upTo lsn: UInt64) {
        queue.withLock { q in
            q.durable = max(q.durable, lsn)
            advance(&q)
        }
    }

    /// Nodes loaded from a snapshot: all durable.
    func reset(visibleNodes: Int) {
        queue.withLock { q in
            q.pending.removeAll()
            q.head = 0
            visible.store(visibleNodes, ordering: .releasing)
        }
    }

    private func advance(_ q: inout Queue) {
        while q.head < q.pending.count && q.pending[q.head].lsn <= q.durable {
            visible.store(Int(q.pending[q.head].node) + 1, ordering: .releasing)
            q.head += 1
        }
        if q.head == q.pending.count {
            q.pending.removeAll(keepingCapacity: q.pending.capacity <= 4096)
            q.head = 0
        } else if q.head >= 4096 {
            q.pending.removeFirst(q.head)
            q.head = 0
        }
    }
}
