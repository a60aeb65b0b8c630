import Synchronization

/// Coalesces concurrent work for the same key: the first caller to claim a key leads (does the
/// work), later callers wait on its flight and get the same value or the same error. A flight is
/// removed when it finishes, so errors are never remembered: the next caller leads again.
final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    typealias Outcome = Result<Value, EmbedError>

    /// One key's work in progress.
    final class Flight: Sendable {
        private enum Phase {
            case pending([CheckedContinuation<Outcome, Never>])
            case finished(Outcome)
        }

        private let phase = Mutex(Phase.pending([]))

        /// The leader's outcome, at once if it is already known.
        func outcome() async -> Outcome {
            await withCheckedContinuation { continuation in
                let known: Outcome? = phase.withLock { phase in
                    switch phase {
                    case .finished(let outcome):
                        return outcome
                    case .pending(var waiters):
                        phase = .pending([])  // drop the reference so the append does not copy
                        waiters.append(continuation)
                        phase = .pending(waiters)
                        return nil
                    }
                }
                if let known { continuation.resume(returning: known) }
            }
        }

        fileprivate func finish(_ outcome: Outcome) {
            let waiters: [CheckedContinuation<Outcome, Never>] = phase.withLock { phase in
                guard case .pending(let waiters) = phase else { return [] }
                phase = .finished(outcome)
                return waiters
            }
            for waiter in waiters { waiter.resume(returning: outcome) }
        }
    }

    enum Claim {
        /// The value turned up (e.g. in the cache) while claiming: nothing to do or wait for.
        case ready(Value)
        /// This caller does the work and must call `finish` for the key, on every path.
        case lead(Flight)
        /// Someone else is doing the work: wait for `flight.outcome()`.
        case wait(Flight)
    }

    private let flights = Mutex<[Key: Flight]>([:])

    /// Claims every key under one lock. `ready` is asked first for keys nobody is working on, inside
    /// the lock, so a leader that stored its value and then finished can never be missed: a claimer
    /// either sees the flight or the stored value.
    func claim(_ keys: [Key], ready: (Key) -> Value?) -> [Claim] {
        flights.withLock { flights in
            keys.map { key in
                if let flight = flights[key] { return .wait(flight) }
                if let value = ready(key) { return .ready(value) }
                let flight = Flight()
                flights[key] = flight
                return .lead(flight)
            }
        }
    }

    /// Ends the leader's flight for `key`: no new waiters join it, current ones get `outcome`.
    func finish(_ key: Key, _ flight: Flight, with outcome: Outcome) {
        flights.withLock { flights in
            if flights[key] === flight { flights[key] = nil }
        }
        flight.finish(outcome)
    }

    /// Keys being worked on right now.
    var inFlightCount: Int { flights.withLock { $0.count } }
}
