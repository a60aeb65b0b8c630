import LakehouseKit

/// Creating corpora: learns the embedding's dims and model from embedd, creates (or confirms) the vectord
/// index, then stores the corpus durably. Deleting them, index and all.
struct CorpusSetup: Sendable {
    let catalog: CorpusCatalog
    let calls: PeerCalls

    func put(name: String, definition: CorpusDefinition, requestID: String?) async throws(MatrixError) -> (Corpus, CorpusCatalog.Outcome) {
        guard Corpus.validName(name) else { throw .badRequest("corpus name '\(name)' is invalid: [a-z0-9_-]{1,64}") }
        let definition = try definition.validated()
        let embedded = try await calls.embedRaw(["dimension probe"], requestID: requestID)
        guard let probe = embedded.vectors.first,
              case .array(let numbers) = try JSONBytes.parse(probe, what: "embedd's vector"), !numbers.isEmpty else {
            throw MatrixError(.badGateway, "embedd answered no vector")
        }
        let corpus = Corpus(name: name, index: definition.index, textFields: definition.textFields, roleField: definition.roleField,
                            dims: numbers.count, model: embedded.model)
        if let conflict = catalog.conflict(with: corpus) { throw conflict }  // before the index is touched
        let efConstruction = corpus.index == Playbooks.definition.index ? Playbooks.efConstruction : nil
        try await calls.ensureIndex(corpus.index, dims: corpus.dims, efConstruction: efConstruction, requestID: requestID)
        return (corpus, try catalog.put(corpus))
    }

    /// Deletes the corpus and its vectord index. The index goes first: after a crash in between,
    /// the corpus is still listed (its index missing) and DELETE can be repeated, whereas a corpus
    /// record gone before its index would leave old vectors for a later PUT of that name to adopt.
    func delete(name: String, requestID: String?) async throws(MatrixError) -> Corpus {
        guard let corpus = catalog.corpus(named: name) else { throw .notFound("unknown corpus '\(name)'") }
        if let sharing = catalog.list().first(where: { $0.name != name && $0.index == corpus.index }) {
            throw MatrixError(.conflict, "corpus '\(name)' shares vectord index '\(corpus.index)' with corpus '\(sharing.name)'; delete that one first")
        }
        try await calls.deleteIndex(corpus.index, requestID: requestID)
        _ = try catalog.remove(name)
        return corpus
    }

    /// The corpus, created with this definition when missing.
    func ensure(name: String, index: String, textFields: [String], roleField: String?, requestID: String?) async throws(MatrixError) -> Corpus {
        if let corpus = catalog.corpus(named: name) { return corpus }
        let definition = CorpusDefinition(index: index, textFields: textFields, roleField: roleField)
        return try await put(name: name, definition: definition, requestID: requestID).0
    }
}
