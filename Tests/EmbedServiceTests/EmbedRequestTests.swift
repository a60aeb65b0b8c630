import Testing
@testable import EmbedService

@Suite struct EmbedRequestTests {
    let limits = EmbedLimits(maxTexts: 3, maxTextBytes: 10)

    private func embed(_ body: String) throws(EmbedError) -> EmbedRequest {
        try EmbedRequest.decodeEmbed(Array(body.utf8), limits: limits)
    }

    private func openAI(_ body: String) throws(EmbedError) -> EmbedRequest {
        try EmbedRequest.decodeOpenAI(Array(body.utf8), limits: limits)
    }

    // MARK: /v1/embed

    @Test func embedShapeDecodesTextsAndModel() throws {
        #expect(try embed(#"{"texts":["a","b"],"model":"hash-384"}"#) == EmbedRequest(texts: ["a", "b"], model: "hash-384"))
        #expect(try embed(#" { "model" : null , "texts" : [ "x" ] } "#) == EmbedRequest(texts: ["x"]))
    }

    @Test func bodyThatIsNotJSONIsABadRequest() {
        for body in ["", "texts", #"{"texts":["a"]"#, #"{"texts":["a"]} x"#, "{'texts':['a']}", #"{"texts":["a",]}"#] {
            #expect(throws: EmbedError.self, "\(body)") { try embed(body) }
            do {
                _ = try embed(body)
            } catch {
                #expect(error.httpStatus == 400)
                #expect(error.message.hasPrefix("body is not valid JSON") || error.message == "body must be a JSON object")
            }
        }
    }

    @Test func nonObjectBodyIsABadRequest() {
        #expect(throws: EmbedError.badRequest("body must be a JSON object")) { try embed(#"["a"]"#) }
    }

    @Test func missingTextsIsABadRequest() {
        #expect(throws: EmbedError.badRequest(#"field "texts" is missing: send {"texts":["…"]}"#)) { try embed(#"{"model":"m"}"#) }
    }

    @Test func emptyTextListIsABadRequest() {
        #expect(throws: EmbedError.badRequest(#"field "texts" must not be empty"#)) { try embed(#"{"texts":[]}"#) }
    }

    @Test func nonStringEntryIsABadRequestNamingItsIndex() {
        #expect(throws: EmbedError.badRequest("texts[1] is a number, not a string")) { try embed(#"{"texts":["a",3]}"#) }
        #expect(throws: EmbedError.badRequest("texts[0] is null, not a string")) { try embed(#"{"texts":[null]}"#) }
        #expect(throws: EmbedError.badRequest(#"field "texts" must be an array of strings"#)) { try embed(#"{"texts":"a"}"#) }
    }

    @Test func tooManyTextsIsTooLarge() {
        #expect(throws: EmbedError.tooLarge("too many texts: more than 3; at most 3 per request")) {
            try embed(#"{"texts":["a","b","c","d"]}"#)
        }
    }

    @Test func tooLongTextIsTooLarge() throws {
        #expect(throws: EmbedError.tooLarge("texts[1] is 11 bytes; at most 10 per text")) {
            try embed(#"{"texts":["ok","12345678901"]}"#)
        }
        // Bytes, not characters: five two-byte letters are exactly ten.
        #expect(try embed(#"{"texts":["ééééé"]}"#).texts == ["ééééé"])
    }

    @Test func unknownAndDuplicateFieldsAreBadRequests() {
        #expect(throws: EmbedError.badRequest(#"unknown field "text"; a /v1/embed request has "texts" and "model""#)) {
            try embed(#"{"text":["a"]}"#)
        }
        #expect(throws: EmbedError.badRequest(#"field "texts" appears twice"#)) { try embed(#"{"texts":["a"],"texts":["b"]}"#) }
    }

    @Test func modelMustBeANonEmptyString() {
        #expect(throws: EmbedError.badRequest(#"field "model" must be a string"#)) { try embed(#"{"texts":["a"],"model":3}"#) }
        #expect(throws: EmbedError.badRequest(#"field "model" must not be empty"#)) { try embed(#"{"texts":["a"],"model":""}"#) }
    }

    @Test func stringEscapesAreDecoded() throws {
        let request = try embed(#"{"texts":["a\"b\\c\/d\n\t", "\u00e9\ud83d\ude00", ""]}"#)
        #expect(request.texts == ["a\"b\\c/d\n\t", "é😀", ""])
    }

    @Test func invalidStringsAreBadRequests() {
        for body in [
            #"{"texts":["\ud83d"]}"#,  // lone high surrogate
            #"{"texts":["\ude00"]}"#,  // lone low surrogate
            #"{"texts":["\x"]}"#,  // unknown escape
            "{\"texts\":[\"a\nb\"]}",  // raw control character
        ] {
            #expect(throws: EmbedError.self, "\(body)") { try embed(body) }
        }
        let invalidUTF8: [UInt8] = Array(#"{"texts":[""#.utf8) + [0xC3, 0x28] + Array(#""]}"#.utf8)
        #expect(throws: EmbedError.self) { try EmbedRequest.decodeEmbed(invalidUTF8, limits: limits) }
    }

    // MARK: /v1/embeddings

    @Test func openAIShapeAcceptsAStringOrAList() throws {
        #expect(try openAI(#"{"input":"hello","model":"m"}"#) == EmbedRequest(texts: ["hello"], model: "m"))
        #expect(try openAI(#"{"input":["a","b"]}"#) == EmbedRequest(texts: ["a", "b"]))
    }

    @Test func openAIShapeReadsEncodingAndDimensionsAndIgnoresExtras() throws {
        let request = try openAI(
            #"{"input":["a"],"encoding_format":"base64","dimensions":384,"user":"u-1","extra":{"deep":[1,{"x":null}]}}"#)
        #expect(request == EmbedRequest(texts: ["a"], encoding: .base64, dimensions: 384))
        #expect(try openAI(#"{"input":"a","encoding_format":null,"dimensions":null}"#) == EmbedRequest(texts: ["a"]))
    }

    @Test func openAIShapeRejectsBadFields() {
        #expect(throws: EmbedError.badRequest(#"field "input" is missing: send {"input":"…"} or {"input":["…"]}"#)) {
            try openAI(#"{"model":"m"}"#)
        }
        #expect(throws: EmbedError.badRequest(#"field "input" must not be empty"#)) { try openAI(#"{"input":[]}"#) }
        #expect(throws: EmbedError.badRequest("token arrays are not supported in \"input\"; send text")) {
            try openAI(#"{"input":[1,2,3]}"#)
        }
        #expect(throws: EmbedError.badRequest(#"field "encoding_format" must be "float" or "base64""#)) {
            try openAI(#"{"input":"a","encoding_format":"int8"}"#)
        }
        #expect(throws: EmbedError.badRequest(#"field "dimensions" must be a positive integer"#)) {
            try openAI(#"{"input":"a","dimensions":1.5}"#)
        }
        #expect(throws: EmbedError.badRequest(#"field "dimensions" must be a positive integer"#)) {
            try openAI(#"{"input":"a","dimensions":0}"#)
        }
        #expect(throws: EmbedError.tooLarge("input[0] is 11 bytes; at most 10 per text")) { try openAI(#"{"input":"12345678901"}"#) }
    }

    @Test func tokenCountIsTheWordCount() {
        #expect(EmbedRequest.approximateTokenCount(["Need 3 forklift operators", "  in\tToledo\n", ""]) == 6)
    }
}
