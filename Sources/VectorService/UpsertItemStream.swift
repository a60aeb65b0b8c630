import Foundation
import LakehouseKit

/// The `items` of a streamed upsert body, decoded one at a time as their bytes arrive. A bad item
/// is a 400 naming its position; more than `VECTORD_MAX_BATCH` items is a 413.
struct UpsertItemStream: AsyncSequence, Sendable {
    typealias Element = VectorItem
    let body: RequestBodyStream
    let maxItems: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var elements: JSONArrayElements<RequestBodyStream>.AsyncIterator
        let maxItems: Int
        let decoder = JSONDecoder()
        var position = 0

        mutating func next() async throws -> VectorItem? {
            let bytes: [UInt8]?
            do {
                bytes = try await elements.next()
            } catch let failure as JSONArrayScanner.Failure {
                throw APIError.badRequest(failure.description)
            }
            guard let bytes else { return nil }
            defer { position += 1 }
            guard position < maxItems else {
                throw APIError.payloadTooLarge("more than \(maxItems) items in one upsert (VECTORD_MAX_BATCH)")
            }
            let item: VectorWire.Item
            do {
                item = try JSONCoding.decode(VectorWire.Item.self, from: bytes)
            } catch {
                throw APIError.badRequest("items[\(position)]: \(error.message)")
            }
            return VectorItem(id: item.id, vector: item.vector, metadata: item.metadata ?? [:])
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(elements: JSONArrayElements(body, field: "items").makeAsyncIterator(), maxItems: maxItems)
    }
}
