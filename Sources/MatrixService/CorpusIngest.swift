import LakehouseKit

/// `POST /v1/corpora/{name}/ingest`: records stream in, are embedded through embedd in batches of
/// `MATRIXD_EMBED_BATCH` (several in flight) and upserted into vectord in batches of
/// `MATRIXD_UPSERT_BATCH`, the next batch embedding while the last one is stored. Only about two
/// batches are ever in memory, whatever the body size; a record is held once, as the bytes it
/// arrived as, which become its vectord metadata unchanged. Idempotent by record id (vectord
/// replaces an item with the same id). A bad record is a 400 naming its position; the batches
/// before it stay stored.
struct CorpusIngest: Sendable {
    let calls: PeerCalls
    let config: MatrixConfig

    struct Prepared: Sendable {
        let id: String
        let text: String
        let bytes: [UInt8]
    }

    /// Ingests every element of `records` (each one record's JSON bytes); returns how many were stored.
    func ingest<Records: AsyncSequence>(_ records: Records, into corpus: Corpus, requestID: String?) async throws -> Int
    where Records.Element == [UInt8] {
        var total = 0
        var position = 0
        var batch: [Prepared] = []
        batch.reserveCapacity(config.upsertBatch)
        var storing: Task<Int, any Error>?
        defer { storing?.cancel() }
        var iterator = records.makeAsyncIterator()
        while true {
            let element: [UInt8]?
            do {
                element = try await iterator.next()
            } catch let failure as JSONArrayScanner.Failure {
                throw MatrixError(.badRequest, failure.description)
            }
            if let element {
                batch.append(try prepare(element, position: position, corpus: corpus))
                position += 1
            }
            guard batch.count == config.upsertBatch || (element == nil && !batch.isEmpty) else {
                if element == nil { break }
                continue
            }
            let body = try await upsertBody(batch, for: corpus, requestID: requestID)
            batch.removeAll(keepingCapacity: true)
            if let previous = storing { total += try await previous.value }
            let calls = self.calls
            storing = Task { try await calls.upsert(corpus, body: body, requestID: requestID) }
            if element == nil { break }
        }
        if let last = storing {
            total += try await last.value
            storing = nil
        }
        return total
    }

    func prepare(_ bytes: [UInt8], position: Int, corpus: Corpus) throws(MatrixError) -> Prepared {
        let value: JSONValue
        do {
            value = try JSONBytes.read(bytes)
        } catch {
            throw .badRequest("records[\(position)]: \(error.message)")
        }
        guard case .object(let record) = value else { throw .badRequest("records[\(position)]: expected an object") }
        return try prepare(record, bytes: bytes, position: position, corpus: corpus)
    }

    /// A record whose fields are already parsed (`bytes` is their JSON text).
    func prepare(_ record: [String: JSONValue], bytes: [UInt8], position: Int, corpus: Corpus) throws(MatrixError) -> Prepared {
        guard let idValue = record["id"] else { throw .badRequest("records[\(position)]: missing field 'id'") }
        guard case .string(let id) = idValue, !id.isEmpty, id.utf8.count <= 256 else {
            throw .badRequest("records[\(position)]: 'id' must be a non-empty string of at most 256 bytes")
        }
        if let roleField = corpus.roleField {
            guard case .string(let role)? = record[roleField], !role.isEmpty else {
                throw .badRequest("records[\(position)]: corpus '\(corpus.name)' is role-tagged; field '\(roleField)' must be a non-empty string")
            }
        }
        let text = corpus.text(of: record)
        guard !text.isEmpty else {
            throw .badRequest("records[\(position)]: none of the text fields \(corpus.textFields) has any text")
        }
        return Prepared(id: id, text: text, bytes: bytes)
    }

    /// Embeds a batch (chunks of `embedBatch`, up to `ingestParallel` in flight) and writes the
    /// vectord upsert body, splicing vectors and records in as raw JSON. Vectors of another model
    /// than `corpus`'s are a conflict, before anything is stored.
    func upsertBody(_ batch: [Prepared], for corpus: Corpus, requestID: String?) async throws -> [UInt8] {
        let chunkSize = config.embedBatch
        let chunks = stride(from: 0, to: batch.count, by: chunkSize).map { Array(batch[$0..<min($0 + chunkSize, batch.count)].map(\.text)) }
        var vectors = [[[UInt8]]](repeating: [], count: chunks.count)
        let calls = self.calls
        try await withThrowingTaskGroup(of: (Int, PeerCalls.Embedded).self) { group in
            var next = 0
            func launch() {
                let index = next
                let texts = chunks[index]
                group.addTask { (index, try await calls.embedRaw(texts, requestID: requestID)) }
                next += 1
            }
            while next < min(config.ingestParallel, chunks.count) { launch() }
            while let (index, result) = try await group.next() {
                try corpus.requireModel(result.model)
                vectors[index] = result.vectors
                if next < chunks.count { launch() }
            }
        }
        var body: [UInt8] = []
        body.reserveCapacity(batch.count * (batch.first.map { $0.bytes.count + 8 * 384 } ?? 0) + 16)
        body.append(contentsOf: "{\"items\":[".utf8)
        for (position, record) in batch.enumerated() {
            if position > 0 { body.append(UInt8(ascii: ",")) }
            var head = JSONWriter(capacity: 64)
            head.raw("{\"id\":")
            head.string(record.id)
            head.raw(",\"vector\":")
            body.append(contentsOf: head.bytes)
            body.append(contentsOf: vectors[position / chunkSize][position % chunkSize])
            body.append(contentsOf: ",\"metadata\":".utf8)
            body.append(contentsOf: record.bytes)
            body.append(UInt8(ascii: "}"))
        }
        body.append(contentsOf: "]}".utf8)
        return body
    }
}
