import Foundation
import Synchronization

/// A monotonically increasing count.
public final class Counter: Sendable {
    private let storage = Atomic<Int>(0)
    public init() {}
    public func increment(by amount: Int = 1) { storage.add(amount, ordering: .relaxed) }
    public var value: Int { storage.load(ordering: .relaxed) }
}

/// Cumulative-bucket histogram in the Prometheus sense.
public final class Histogram: Sendable {
    public static let latencyBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct State {
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    let buckets: [Double]
    private let state: Mutex<State>

    public init(buckets: [Double] = Histogram.latencyBuckets) {
        self.buckets = buckets
        state = Mutex(State(counts: Array(repeating: 0, count: buckets.count)))
    }

    public func observe(_ value: Double) {
        // Non-cumulative counts here; render() accumulates. Keeps observe() at one increment.
        let index = buckets.firstIndex(where: { value <= $0 }) ?? buckets.count
        state.withLock { state in
            if index < state.counts.count { state.counts[index] += 1 }
            state.sum += value
            state.count += 1
        }
    }

    var snapshot: State { state.withLock { $0 } }
}

/// Every metric of one process, rendered in the Prometheus text exposition format (version 0.0.4).
/// Series are created on first use and live for the process; labels must have bounded values
/// (route patterns, not raw paths).
public final class MetricsRegistry: Sendable {
    enum Kind: String, Sendable { case counter, gauge, histogram }

    enum Series: Sendable {
        case counter(Counter)
        case histogram(Histogram)
        case gauge(@Sendable () -> Double)
    }

    struct Family: Sendable {
        let name: String
        let help: String
        let kind: Kind
        var series: [String: Series] = [:]
        var order: [String] = []
    }

    private let families = Mutex<[String: Family]>([:])
    private let familyOrder = Mutex<[String]>([])
    private let collectors = Mutex<[@Sendable () -> String]>([])

    /// Text appended to every scrape, for series whose label values change at run time (one per
    /// vector index, say). The closure renders complete `# HELP`/`# TYPE` blocks itself.
    public func collector(_ render: @escaping @Sendable () -> String) {
        collectors.withLock { $0.append(render) }
    }

    public init() {}

    public func counter(_ name: String, help: String, labels: [(String, String)] = []) -> Counter {
        let series = lookup(name, help: help, kind: .counter, labels: labels) { .counter(Counter()) }
        guard case .counter(let counter) = series else { preconditionFailure("\(name) is not a counter") }
        return counter
    }

    public func histogram(_ name: String, help: String, labels: [(String, String)] = [], buckets: [Double] = Histogram.latencyBuckets) -> Histogram {
        let series = lookup(name, help: help, kind: .histogram, labels: labels) { .histogram(Histogram(buckets: buckets)) }
        guard case .histogram(let histogram) = series else { preconditionFailure("\(name) is not a histogram") }
        return histogram
    }

    /// A gauge read at scrape time (sizes, depths, RSS).
    public func gauge(_ name: String, help: String, labels: [(String, String)] = [], read: @escaping @Sendable () -> Double) {
        derived(name, help: help, kind: .gauge, labels: labels, read: read)
    }

    /// A counter whose value a domain object keeps itself (e.g. cache hits), read at scrape time.
    public func counter(_ name: String, help: String, labels: [(String, String)] = [], read: @escaping @Sendable () -> Double) {
        derived(name, help: help, kind: .counter, labels: labels, read: read)
    }

    private func derived(_ name: String, help: String, kind: Kind, labels: [(String, String)], read: @escaping @Sendable () -> Double) {
        let key = MetricsRegistry.labelKey(labels)
        families.withLock { families in
            var family = families[name] ?? Family(name: name, help: help, kind: kind)
            if family.series[key] == nil { family.order.append(key) }
            family.series[key] = .gauge(read)
            if families[name] == nil { familyOrder.withLock { $0.append(name) } }
            families[name] = family
        }
    }

    private func lookup(_ name: String, help: String, kind: Kind, labels: [(String, String)], make: () -> Series) -> Series {
        let key = MetricsRegistry.labelKey(labels)
        return families.withLock { families in
            if let existing = families[name]?.series[key] { return existing }
            var family = families[name] ?? Family(name: name, help: help, kind: kind)
            let series = make()
            family.series[key] = series
            family.order.append(key)
            if families[name] == nil { familyOrder.withLock { $0.append(name) } }
            families[name] = family
            return series
        }
    }

    static func labelKey(_ labels: [(String, String)]) -> String {
        labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
    }

    public static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    public func render() -> String {
        let names = familyOrder.withLock { $0 }
        let snapshot = families.withLock { $0 }
        var out = ""
        out.reserveCapacity(8192)
        for name in names {
            guard let family = snapshot[name] else { continue }
            out += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.kind.rawValue)\n"
            for key in family.order {
                guard let series = family.series[key] else { continue }
                let braces = key.isEmpty ? "" : "{\(key)}"
                switch series {
                case .counter(let counter):
                    out += "\(name)\(braces) \(counter.value)\n"
                case .gauge(let read):
                    out += "\(name)\(braces) \(MetricsRegistry.format(read()))\n"
                case .histogram(let histogram):
                    let state = histogram.snapshot
                    var cumulative: UInt64 = 0
                    let prefix = key.isEmpty ? "" : key + ","
                    for (index, bound) in histogram.buckets.enumerated() {
                        cumulative += state.counts[index]
                        out += "\(name)_bucket{\(prefix)le=\"\(MetricsRegistry.format(bound))\"} \(cumulative)\n"
                    }
                    out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(state.count)\n"
                    out += "\(name)_sum\(braces) \(MetricsRegistry.format(state.sum))\n"
                    out += "\(name)_count\(braces) \(state.count)\n"
                }
            }
        }
        for render in collectors.withLock({ $0 }) { out += render() }
        return out
    }
}
