import Foundation
import LakehouseKit
import Synchronization

/// One version of one memory: what a coordinator (or the fill) noted about a subject.
struct MemoryVersion: Codable, Sendable, Equatable {
    let id: String
    let subject: String
    let version: Int
    /// "ADD", "UPDATE" or "DELETE" (Mem0's history events).
    let event: String
    /// The memory's text after this event (null once deleted).
    let text: String?
    /// The text before this event (null for ADD).
    let previousText: String?
    /// RFC 3339 time of the event.
    let at: String

    enum CodingKeys: String, CodingKey {
        case id, subject, version, event, text
        case previousText = "previous_text"
        case at
    }

    var isDeleted: Bool { event == "DELETE" }
}

/// Pathway memory (Mem0-style, versioned): every create, update and delete is a new version,
/// appended to a `RecordLog` and acknowledged only once fsynced, so it survives kill -9; recovery
/// replays the log. Search embeds current memories through embedd (cached per version) and ranks
/// them by cosine similarity to the query.
final class PathwayMemory: Sendable {
    static let maxTextBytes = 8192
    static let maxSubjectBytes = 256

    private struct State {
        var versions: [String: [MemoryVersion]] = [:]
        /// Creation order, for stable listings.
        var order: [String] = []
    }

    private let log: RecordLog
    private let state: Mutex<State>
    /// Embedded memories by "id#version", with the model that embedded them.
    private let vectors = Mutex<[String: (model: String, vector: [Float])]>([:])
    let damage: [RecordLog.Damage]

    init(directory: String) throws {
        var recovered = State()
        let decoder = JSONDecoder()
        log = try RecordLog(RecordLog.Configuration(directory: directory, filePrefix: "memory", magic: "LHMEMV01")) { _, bytes in
            let version = try decoder.decode(MemoryVersion.self, from: Data(bytes))
            if recovered.versions[version.id] == nil { recovered.order.append(version.id) }
            recovered.versions[version.id, default: []].append(version)
        }
        damage = log.recovery.damage
        state = Mutex(recovered)
    }

    var count: Int { state.withLock { $0.versions.count } }

    func close() { log.close() }

    /// RFC 3339 UTC with milliseconds, as ISO8601DateFormatter's internet date-time with fractional
    /// seconds writes it, without creating a formatter per call (a third of a playbook's CPU).
    static func now() -> String {
        JournalEvent.timestamp()
    }

    func create(subject: String, text: String) async throws(MatrixError) -> MemoryVersion {
        try PathwayMemory.check(subject: subject)
        try PathwayMemory.check(text: text)
        let id = "mem-" + String(UInt64.random(in: 0...UInt64.max), radix: 16).leftPadded(16)
        return try await append { _ in MemoryVersion(id: id, subject: subject, version: 1, event: "ADD", text: text, previousText: nil, at: PathwayMemory.now()) }
    }

    func update(id: String, text: String) async throws(MatrixError) -> MemoryVersion {
        try PathwayMemory.check(text: text)
        return try await append { state throws(MatrixError) in
            let current = try PathwayMemory.current(id, in: state)
            guard !current.isDeleted else { throw MatrixError(.conflict, "memory '\(id)' was deleted (version \(current.version)); create a new one") }
            return MemoryVersion(id: id, subject: current.subject, version: current.version + 1, event: "UPDATE", text: text,
                                 previousText: current.text, at: PathwayMemory.now())
        }
    }

    /// Deletes with a tombstone version; deleting a deleted memory answers its tombstone again.
    func delete(id: String) async throws(MatrixError) -> MemoryVersion {
        if let current = state.withLock({ $0.versions[id]?.last }), current.isDeleted { return current }
        return try await append { state throws(MatrixError) in
            let current = try PathwayMemory.current(id, in: state)
            return MemoryVersion(id: id, subject: current.subject, version: current.version + 1, event: "DELETE", text: nil,
                                 previousText: current.text, at: PathwayMemory.now())
        }
    }

    func history(id: String) throws(MatrixError) -> [MemoryVersion] {
        guard let versions = state.withLock({ $0.versions[id] }) else { throw .notFound("unknown memory '\(id)'") }
        return versions
    }

    func latest(id: String) throws(MatrixError) -> MemoryVersion {
        try history(id: id).last!
    }

    /// Current, not deleted memories, of one subject or all, in creation order.
    func current(subject: String?) -> [MemoryVersion] {
        state.withLock { state in
            state.order.compactMap { state.versions[$0]?.last }.filter { !$0.isDeleted && (subject == nil || $0.subject == subject) }
        }
    }

    /// Memories ranked by similarity to `query`; `embed` turns texts into vectors and names their
    /// model. A cached vector of another model than the query's (embedd changed models since) is
    /// embedded again: two models' vectors cannot be compared.
    func search(subject: String?, query: String, k: Int,
                embed: ([String]) async throws(MatrixError) -> (vectors: [[Float]], model: String)) async throws(MatrixError) -> [(MemoryVersion, Double)] {
        let candidates = current(subject: subject)
        guard !candidates.isEmpty else { return [] }
        let key = { (memory: MemoryVersion) in "\(memory.id)#\(memory.version)" }
        let cached = vectors.withLock { cache in candidates.map { cache[key($0)] } }
        let missing = candidates.indices.filter { cached[$0] == nil }
        let first = try await Self.embedding(missing.map { candidates[$0].text ?? "" } + [query], embed)
        let model = first.model
        var all = cached.map { $0?.model == model ? $0?.vector : nil }
        for (slot, index) in missing.enumerated() { all[index] = first.vectors[slot] }
        let stale = candidates.indices.filter { all[$0] == nil }
        if !stale.isEmpty {
            let again = try await Self.embedding(stale.map { candidates[$0].text ?? "" }, embed)
            guard again.model == model else { throw MatrixError(.badGateway, "embedd changed models during a memory search; search again") }
            for (slot, index) in stale.enumerated() { all[index] = again.vectors[slot] }
        }
        vectors.withLock { cache in
            for index in candidates.indices where cached[index]?.model != model {
                cache[key(candidates[index])] = (model, all[index]!)
            }
        }
        let queryVector = first.vectors.last!
        var scored = candidates.indices.map { (candidates[$0], PathwayMemory.cosine(queryVector, all[$0]!)) }
        scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.id < $1.0.id }
        return Array(scored.prefix(k))
    }

    /// `embed(texts)`, checked to answer one vector per text.
    private static func embedding(_ texts: [String], _ embed: ([String]) async throws(MatrixError) -> (vectors: [[Float]], model: String))
        async throws(MatrixError) -> (vectors: [[Float]], model: String) {
        let answer = try await embed(texts)
        guard answer.vectors.count == texts.count else {
            throw MatrixError(.badGateway, "embedd answered \(answer.vectors.count) vectors for \(texts.count) texts")
        }
        return answer
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for i in a.indices {
            dot += a[i] * b[i]
            na += a[i] * a[i]
            nb += b[i] * b[i]
        }
        guard na > 0, nb > 0 else { return 0 }
        return Double(dot / (na.squareRoot() * nb.squareRoot()))
    }

    // MARK: - Internals

    private static func current(_ id: String, in state: State) throws(MatrixError) -> MemoryVersion {
        guard let current = state.versions[id]?.last else { throw .notFound("unknown memory '\(id)'") }
        return current
    }

    /// Decides the next version under the lock, queues it on the log in the same order, applies it,
    /// and returns once it is durable.
    private func append(_ next: (State) throws(MatrixError) -> MemoryVersion) async throws(MatrixError) -> MemoryVersion {
        let outcome: Result<(MemoryVersion, RecordLog.Ticket), MatrixError> = state.withLock { state in
            do throws(MatrixError) {
                let version = try next(state)
                guard let bytes = try? JSONCoding.encode(version) else { throw MatrixError(.storage, "cannot encode memory version") }
                let ticket = log.append([bytes])
                if state.versions[version.id] == nil { state.order.append(version.id) }
                state.versions[version.id, default: []].append(version)
                return .success((version, ticket))
            } catch {
                return .failure(error)
            }
        }
        let (version, ticket) = try outcome.get()
        do {
            try await log.waitDurable(ticket)
        } catch {
            throw MatrixError(.storage, "memory log: \(error)")
        }
        return version
    }

    static func check(subject: String) throws(MatrixError) {
        guard !subject.isEmpty, subject.utf8.count <= maxSubjectBytes else { throw .badRequest("subject must be 1 to \(maxSubjectBytes) bytes") }
    }

    static func check(text: String) throws(MatrixError) {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .badRequest("text must not be empty") }
        guard text.utf8.count <= maxTextBytes else { throw .badRequest("text is longer than \(maxTextBytes) bytes") }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
