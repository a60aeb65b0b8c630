import Foundation
import LakehouseKit
import Synchronization

/// The corpora, kept in `corpora.json` under matrixd's data directory and replaced atomically on
/// every change, so an acknowledged `PUT /v1/corpora/{name}` survives kill -9.
final class CorpusCatalog: Sendable {
    private let path: String
    private let corpora: Mutex<[String: Corpus]>
    /// Serialises writers so two PUTs never race on the file.
    private let writer = Mutex(())

    init(directory: String) throws {
        try DurableFile.createDirectory(directory)
        path = (directory as NSString).appendingPathComponent("corpora.json")
        var loaded: [String: Corpus] = [:]
        if FileManager.default.fileExists(atPath: path) {
            let bytes = try FileHandleFD(path: path, flags: O_RDONLY).readAll()
            let list = try JSONDecoder().decode([Corpus].self, from: Data(bytes))
            for corpus in list { loaded[corpus.name] = corpus }
        }
        corpora = Mutex(loaded)
    }

    func corpus(named name: String) -> Corpus? { corpora.withLock { $0[name] } }

    func list() -> [Corpus] { corpora.withLock { $0.values.sorted { $0.name < $1.name } } }

    enum Outcome { case created, unchanged }

    /// Stores a corpus; a different definition under an existing name is a conflict, and so is
    /// another embedding model. A corpus stored before models were recorded takes `corpus`'s model.
    func put(_ corpus: Corpus) throws(MatrixError) -> Outcome {
        try changing { all throws(MatrixError) -> Outcome? in
            guard let existing = all[corpus.name] else {
                all[corpus.name] = corpus
                return .created
            }
            if let conflict = Self.conflict(existing, corpus) { throw conflict }
            // Only an older corpus learning its model is stored again.
            guard existing.model == nil, corpus.model != nil else { return nil }
            all[corpus.name] = corpus
            return .unchanged
        } ?? .unchanged
    }

    /// The conflict that storing `corpus` would meet, if any (checked before any work for it).
    func conflict(with corpus: Corpus) -> MatrixError? {
        self.corpus(named: corpus.name).flatMap { Self.conflict($0, corpus) }
    }

    /// Another definition under the same name, or another embedding model than the recorded one.
    private static func conflict(_ existing: Corpus, _ corpus: Corpus) -> MatrixError? {
        guard existing.sameDefinition(as: corpus) else {
            return MatrixError(.conflict, "corpus '\(corpus.name)' exists with another definition (index '\(existing.index)', text_fields \(existing.textFields), role_field \(existing.roleField ?? "none"), dims \(existing.dims))")
        }
        guard let model = corpus.model else { return nil }
        do { try existing.requireModel(model) } catch { return error }
        return nil
    }

    /// Forgets a corpus durably; false when there was none of that name.
    func remove(_ name: String) throws(MatrixError) -> Bool {
        try changing { all throws(MatrixError) -> Bool? in all.removeValue(forKey: name) == nil ? nil : true } ?? false
    }

    /// One change, serialised with the others: `change` edits a copy of the corpora and returns
    /// nil when there is nothing to store; otherwise the copy replaces `corpora.json` atomically
    /// and then the corpora in memory.
    private func changing<T>(_ change: (inout [String: Corpus]) throws(MatrixError) -> T?) throws(MatrixError) -> T? {
        do {
            return try writer.withLock { _ throws -> T? in
                var next = corpora.withLock { $0 }
                guard let result = try change(&next) else { return nil }
                try DurableFile.atomicReplace(path: path, bytes: try JSONCoding.encode(next.values.sorted { $0.name < $1.name }))
                corpora.withLock { $0 = next }
                return result
            }
        } catch let error as MatrixError {
            throw error
        } catch {
            throw MatrixError(.storage, "cannot save the corpora: \(error)")
        }
    }
}
