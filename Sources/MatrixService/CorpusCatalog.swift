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
        do {
            return try writer.withLock { _ throws -> Outcome in
                var outcome = Outcome.created
                if let existing = self.corpus(named: corpus.name) {
                    if existing == corpus { return .unchanged }
                    guard existing.sameDefinition(as: corpus) else {
                        throw MatrixError(.conflict, "corpus '\(corpus.name)' exists with another definition (index '\(existing.index)', text_fields \(existing.textFields), role_field \(existing.roleField ?? "none"), dims \(existing.dims))")
                    }
                    guard let model = corpus.model else { return .unchanged }
                    try existing.requireModel(model)
                    outcome = .unchanged  // an older corpus learning its model
                }
                var next = corpora.withLock { $0 }
                next[corpus.name] = corpus
                try save(next)
                corpora.withLock { $0 = next }
                return outcome
            }
        } catch let error as MatrixError {
            throw error
        } catch {
            throw MatrixError(.storage, "cannot save the corpora: \(error)")
        }
    }

    /// Forgets a corpus durably; false when there was none of that name.
    func remove(_ name: String) throws(MatrixError) -> Bool {
        do {
            return try writer.withLock { _ throws -> Bool in
                var next = corpora.withLock { $0 }
                guard next.removeValue(forKey: name) != nil else { return false }
                try save(next)
                corpora.withLock { $0 = next }
                return true
            }
        } catch let error as MatrixError {
            throw error
        } catch {
            throw MatrixError(.storage, "cannot save the corpora: \(error)")
        }
    }

    /// Replaces `corpora.json` atomically (the caller holds `writer`).
    private func save(_ all: [String: Corpus]) throws {
        try DurableFile.atomicReplace(path: path, bytes: try JSONCoding.encode(all.values.sorted { $0.name < $1.name }))
    }
}
