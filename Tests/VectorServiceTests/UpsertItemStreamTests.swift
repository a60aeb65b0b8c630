import Foundation
import LakehouseKit
import Testing
@testable import VectorService

@Suite struct UpsertItemStreamTests {
    /// The byte reader takes what the Codable item (`VectorWire.Item`, JSONDecoder) takes, field for field.
    @Test func itemReadsWhatTheCodableItemDecodes() throws {
        let items = [
            #"{"id":"a","vector":[1,2,3]}"#,
            #"{"id":"b","vector":[0.5,-1e-3,2.5E2],"metadata":null}"#,
            #"{"metadata":{"state":"OH","n":3,"ok":true,"tags":["x","y"],"deep":{"k":[1,{"z":null}]}},"vector":[1],"id":"c"}"#,
            #" { "id" : "d\u00e9\n\"q\"" , "vector" : [ 1 , 2 ] , "extra" : {"ignored":[1,2]} } "#,
            #"{"id":"e","vector":[],"metadata":{}}"#,
            #"{"id":"f","vector":[3.4028234e38,-2.5e-7,12345]}"#,
        ]
        for text in items {
            let expected = try JSONCoding.decode(VectorWire.Item.self, from: Array(text.utf8))
            let item = try UpsertItemStream.item(Array(text.utf8))
            #expect(item.id == expected.id, "\(text)")
            #expect(item.vector == expected.vector, "\(text)")
            #expect(item.metadata == (expected.metadata ?? [:]), "\(text)")
        }
    }

    @Test func badItemsAreRefusedWithAMessage() {
        let bad = [
            (#"[1,2]"#, "object"),
            (#""a""#, "object"),
            (#"{"vector":[1,2]}"#, "missing field 'id'"),
            (#"{"id":"a"}"#, "missing field 'vector'"),
            (#"{"id":7,"vector":[1]}"#, "'id'"),
            (#"{"id":"a","vector":"1,2"}"#, "'vector'"),
            (#"{"id":"a","vector":[1,"2"]}"#, "'vector[1]'"),
            (#"{"id":"a","vector":[1,null]}"#, "'vector[1]'"),
            (#"{"id":"a","vector":[1],"metadata":"x"}"#, "'metadata'"),
            (#"{"id":"a","vector":[1],"metadata":[1]}"#, "'metadata'"),
            (#"{"id":"a","vector":[1]} x"#, "after"),
            (#"{"id":"a","vector":[1]"#, ""),
            (#"{"id":"a","vector":[1],}"#, ""),
        ]
        for (text, mention) in bad {
            do {
                _ = try UpsertItemStream.item(Array(text.utf8))
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.status == .badRequest, "\(text)")
                #expect(mention.isEmpty || error.message.contains(mention), "\(text): \(error.message)")
            }
        }
    }

    /// Out of Float's range reads as infinity, which the index then refuses naming the item.
    @Test func outOfRangeNumbersAreRefusedByTheIndex() async throws {
        let item = try UpsertItemStream.item(Array(#"{"id":"big","vector":[1,1e999,3]}"#.utf8))
        #expect(item.vector[1].isInfinite)
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (_, index) = try await makeIndex(dir, params: IndexParams(dims: 3), items: [])
        await #expect(throws: VectorError.self) { _ = try await index.upsert([item]) }
    }
}
