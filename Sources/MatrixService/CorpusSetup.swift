import LakehouseKit

/// Creating corpora: learns the embedding's dims from embedd, creates (or confirms) the vectord
/// index, then stores the corpus durably.
struct CorpusSetup: Sendable {
    let catalog: CorpusCatalog
    let calls: PeerCalls

    func put(name: String, definition: CorpusDefinition, requestID: String?) async throws(MatrixError) -> (Corpus, CorpusCatalog.Outcome) {
        guard Corpus.validName(name) else { throw .badRequest("corpus name '\(name)' is invalid: [a-z0-9_-]{1,64}") }
        let definition = try definition.validated()
        guard let probe = try await calls.embedRaw(["dimension probe"], requestID: requestID).first,
              case .array(let numbers) = try JSONBytes.parse(probe, what: "embedd's vector"), !numbers.isEmpty else {
            throw MatrixError(.badGateway, "embedd answered no vector")
        }
        let corpus = Corpus(name: name, index: definition.index, textFields: definition.textFields, roleField: definition.roleField, dims: numbers.count)
        if let existing = catalog.corpus(named: name), existing != corpus {
            _ = try catalog.put(corpus)  // throws the conflict
        }
        let efConstruction = corpus.index == Playbooks.definition.index ? Playbooks.efConstruction : nil
        try await calls.ensureIndex(corpus.index, dims: corpus.dims, efConstruction: efConstruction, requestID: requestID)
        return (corpus, try catalog.put(corpus))
    }

    /// The corpus, created with this definition when missing.
    func ensure(name: String, index: String, textFields: [String], roleField: String?, requestID: String?) async throws(MatrixError) -> Corpus {
        if let corpus = catalog.corpus(named: name) { return corpus }
        let definition = CorpusDefinition(index: index, textFields: textFields, roleField: roleField)
        return try await put(name: name, definition: definition, requestID: requestID).0
    }
}
