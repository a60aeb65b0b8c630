import Testing
@testable import LakehouseKit

private func split(_ json: String, field: String = "items", chunk: Int) throws -> [String] {
    var scanner = JSONArrayScanner(field: field)
    var out: [String] = []
    let bytes = Array(json.utf8)
    var offset = 0
    while offset < bytes.count {
        try scanner.feed(bytes[offset..<min(offset + chunk, bytes.count)])
        offset += chunk
        while let element = scanner.nextElement() { out.append(String(decoding: element, as: UTF8.self)) }
    }
    try scanner.finish()
    return out
}

@Test(arguments: [1, 2, 3, 7, 64, 100_000])
func splitsElementsWhateverTheChunking(chunk: Int) throws {
    let json = #"{"before":{"items":[9]},"items":[{"id":"a]\"},","v":[1,[2]]}, "plain" ,42, -1.5e3 ,true,null,[1,2]],"after":"]"}"#
    #expect(try split(json, chunk: chunk) == [#"{"id":"a]\"},","v":[1,[2]]}"#, #""plain""#, "42", "-1.5e3", "true", "null", "[1,2]"])
}

@Test func emptyArrayYieldsNothing() throws {
    #expect(try split(#"{"items":[]}"#, chunk: 5).isEmpty)
}

@Test func structuralErrorsAreReported() {
    #expect(throws: JSONArrayScanner.Failure.self) { try split(#"{"other":[1]}"#, chunk: 4) }
    #expect(throws: JSONArrayScanner.Failure.self) { try split(#"{"items":{"a":1}}"#, chunk: 4) }
    #expect(throws: JSONArrayScanner.Failure.self) { try split(#"{"items":"nope"}"#, chunk: 4) }
    #expect(throws: JSONArrayScanner.Failure.self) { try split(#"{"items":[1,2"#, chunk: 4) }
    #expect(throws: JSONArrayScanner.Failure.self) { try split(#"[{"items":[]}]"#, chunk: 4) }
    #expect(throws: JSONArrayScanner.Failure.self) { try split(#"{"items":[]} trailing"#, chunk: 4) }
}

@Test func oversizeElementIsRejected() {
    var scanner = JSONArrayScanner(field: "items", maxElementBytes: 16)
    #expect(throws: JSONArrayScanner.Failure.self) { try scanner.feed(Array(#"{"items":["0123456789012345678"]}"#.utf8)) }
}
