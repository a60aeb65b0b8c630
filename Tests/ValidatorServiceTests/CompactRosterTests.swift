import Foundation
import LakehouseKit
import Testing
@testable import ValidatorService

@Suite struct CompactRosterTests {
    @Test func everyFieldRoundTrips() throws {
        let roster = try Fixture.roster()
        #expect(roster.count == Fixture.workers.count)
        for (i, worker) in Fixture.workers.enumerated() {
            #expect(roster.worker(i) == worker)
            #expect(roster.index(ofID: worker.id) == i)
        }
    }

    @Test func unusualValuesRoundTrip() throws {
        let odd = Worker(id: "X-ÄÖ-1", name: "Zoë O'Brien-Núñez", role: "a role nobody else has", skills: [], certifications: ["b", "a"],
                         city: "Nowhere", state: "ZZ", lat: -89.9999, lon: 179.1234, shifts: ["1st", "2nd", "3rd"], days: WorkSchedule.days,
                         payRate: 1234.56, status: "on leave", phone: "", email: "")
        let roster = try Fixture.roster(Fixture.workers + [odd])
        #expect(roster.worker(Fixture.workers.count) == odd)
        #expect(!roster.isActive(Fixture.workers.count))
    }

    /// A stored `Float` widens to the double of its shortest decimal (the file's own value when it
    /// had at most 7 significant digits), found without a String: the same as parsing its description.
    @Test func widenedFloatsAreTheirShortestDecimals() {
        var state: UInt64 = 0x1234_5678_9ABC_DEF0  // a fixed LCG: the same inputs on every run
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        var samples: [Float] = [0, -0.0, 1, -1, 18.5, 41.6528, -83.53791, 1234.56, -89.9999, 179.1234, 16_777_216, 0.1, 1e-7, 3.4e38, -1.5e-30]
        for _ in 0..<20_000 {
            let decimals = Int(next() % 7)
            let magnitude = Double(next() % 200_000) / 1_000 - 100
            samples.append(Float(String(format: "%.\(decimals)f", magnitude))!)  // a coordinate or a pay rate as a file writes it
            samples.append(Float(bitPattern: UInt32(truncatingIfNeeded: next())))  // any bit pattern at all
        }
        for value in samples where value.isFinite {
            #expect(CompactRoster.widen(value) == Double(value.description)!, "\(value)")
        }
    }

    @Test func lookupsByNamePhoneAndEmail() throws {
        let roster = try Fixture.roster()
        func has(_ name: String) -> Bool { Array(name.utf8).withUnsafeBytes { roster.hasName($0) } }
        #expect(has("Maria Lopez") && has("Sofia Rossi") && !has("Maria") && !has("maria lopez"))
        #expect(roster.index(ofPhoneNumber: 4195550142) == 0)
        #expect(roster.index(ofPhoneNumber: 4195550177) == 1)
        #expect(roster.index(ofPhoneNumber: 4195550000) == nil)
        #expect(Array("Maria.Lopez@EXAMPLE.com".utf8).withUnsafeBytes { roster.index(ofEmail: $0) } == 0)
        #expect(Array("maria.lopez@example.org".utf8).withUnsafeBytes { roster.index(ofEmail: $0) } == nil)
        #expect(roster.index(ofID: "W-999999") == nil)
    }

    @Test func phoneNumbersReduceToTenDigits() {
        func number(_ text: String) -> UInt64? { Array(text.utf8).withUnsafeBytes { RosterKey.phoneNumber($0) } }
        #expect(number("+1-419-555-0142") == 4195550142)
        #expect(number("(419) 555-0142") == 4195550142)
        #expect(number("419.555.0142") == 4195550142)
        #expect(number("2-419-555-0142") == nil)
        #expect(number("555-0142") == nil)
    }

    @Test func aBadLineIsNamedByItsNumber() throws {
        var lines = Fixture.workers.map { JSONCoding.string($0) }
        lines.insert("", at: 2)
        let cases: [(String, String)] = [
            (#"{"id":"W-1"#, "line 5: not valid JSON"),
            (#"[1,2]"#, "line 5: expected a JSON object"),
            (JSONCoding.string(Fixture.workers[0]).replacingOccurrences(of: #""lat":41.65"#, with: #""lat":"north""#), "line 5: field 'lat' must be a number"),
            (JSONCoding.string(Fixture.workers[0]).replacingOccurrences(of: #","phone":"+1-419-555-0142""#, with: ""), "line 5: missing field 'phone'"),
            (JSONCoding.string(Fixture.workers[0]).replacingOccurrences(of: #""shifts":["1st","2nd"]"#, with: #""shifts":["night"]"#), "line 5: field 'shifts': 'night'"),
            (JSONCoding.string(Fixture.workers[0]).replacingOccurrences(of: #""lat":41.65"#, with: #""lat":141.65"#), "line 5: field 'lat' must be from"),
            (JSONCoding.string(Fixture.workers[0]), "line 5: duplicate id (first on line 1)"),
        ]
        for (bad, expected) in cases {
            var file = lines
            file.insert(bad, at: 4)
            let bytes = Array(file.joined(separator: "\n").utf8)
            #expect {
                try bytes.withUnsafeBytes { try RosterFile.parse($0, path: "r.jsonl") }
            } throws: { error in
                guard let error = error as? ValidatorError else { return false }
                return error.kind == .unprocessable && error.message.hasPrefix("roster file r.jsonl ") && error.message.contains(expected)
            }
        }
    }

    @Test func blankLinesAndAMissingFinalNewlineAreFine() throws {
        let text = "\n" + Fixture.workers.map { JSONCoding.string($0) }.joined(separator: "\n\n  \n")
        let roster = try Array(text.utf8).withUnsafeBytes { try RosterFile.parse($0, path: "r") }
        #expect(roster.count == Fixture.workers.count)
        let empty = try [UInt8]().withUnsafeBytes { try RosterFile.parse($0, path: "r") }
        #expect(empty.count == 0 && empty.index(ofID: "W-000001") == nil)
    }

    @Test func loadsAFileAndReportsAMissingOne() throws {
        let dir = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/workers.jsonl"
        try Data(Fixture.jsonl(Fixture.workers)).write(to: URL(fileURLWithPath: path))
        #expect(try RosterFile.load(path: path).count == Fixture.workers.count)
        #expect(throws: ValidatorError(.notFound, "roster file \(dir)/nope.jsonl does not exist")) { try RosterFile.load(path: dir + "/nope.jsonl") }
        #expect { try RosterFile.load(path: dir) } throws: { ($0 as? ValidatorError)?.kind == .unprocessable }
    }

    @Test func reloadSwapsWholeOrKeepsTheOldRoster() async throws {
        let dir = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = dir + "/a.jsonl", second = dir + "/b.jsonl", broken = dir + "/c.jsonl"
        try Data(Fixture.jsonl(Fixture.workers)).write(to: URL(fileURLWithPath: first))
        try Data(Fixture.jsonl(Array(Fixture.workers.prefix(3)))).write(to: URL(fileURLWithPath: second))
        try Data((String(decoding: Fixture.jsonl(Fixture.workers), as: UTF8.self) + "{oops}\n").utf8).write(to: URL(fileURLWithPath: broken))
        let holder = RosterHolder()
        #expect(throws: ValidatorError.self) { try holder.snapshot() }
        _ = try await holder.reload(path: first)
        let inFlight = try holder.snapshot()
        #expect(inFlight.count == 12)
        await #expect(throws: ValidatorError.self) { try await holder.reload(path: broken) }
        await #expect(throws: ValidatorError.self) { try await holder.reload(path: dir + "/missing.jsonl") }
        #expect(try holder.snapshot().count == 12 && holder.loaded?.path == first)
        let loaded = try await holder.reload(path: second)
        #expect(loaded.roster.count == 3 && holder.loaded?.path == second)
        // A request that took the old roster keeps it.
        #expect(inFlight.count == 12 && inFlight.index(ofID: "W-000012") == 11)
        #expect(holder.reloads.value == 2)
    }
}

@Suite struct RosterLoadingPathsTests {
    @Test func theFastScannerAndTheStrictReaderAgree() throws {
        let line = JSONCoding.string(Fixture.workers[0])
        let fast = try #require(Array(line.utf8).withUnsafeBytes { RosterLineScanner.scan($0) })
        #expect(String(decoding: fast.name, as: UTF8.self) == "Maria Lopez" && fast.lat == 41.65 && fast.payRate == 18.75)
        // Lines the scanner leaves to the strict reader: escapes, non-ASCII, unknown fields, exponents.
        let slow = [
            line.replacingOccurrences(of: #""name":"Maria Lopez""#, with: #""name":"Maria \u004copez""#),
            line.replacingOccurrences(of: #""id":"W-000001""#, with: #""id":"W-000001","extra":{"a":[1,2]}"#),
            line.replacingOccurrences(of: #""lat":41.65"#, with: #""lat":4.165e1"#),
        ]
        for text in slow {
            #expect(Array(text.utf8).withUnsafeBytes { RosterLineScanner.scan($0) } == nil, "\(text)")
            let roster = try Array(text.utf8).withUnsafeBytes { try RosterFile.parse($0, path: "r") }
            #expect(roster.worker(0) == Fixture.workers[0])
        }
    }

    @Test func emailsNotDerivedFromTheNameRoundTripToo() throws {
        let workers = [
            Fixture.worker(1, "Maria Lopez", email: "Maria.Lopez@Example.com"),
            Fixture.worker(2, "James Carter", email: "jc@corp.example"),
            Fixture.worker(3, "Aisha Khan", email: "aisha.khan"),
            Fixture.worker(4, "Wei Chen", email: "wei.chen.2@mail.example.org"),
        ]
        let roster = try Fixture.roster(workers)
        #expect((0..<4).map { roster.worker($0) } == workers)
        #expect(Array("maria.lopez@example.COM".utf8).withUnsafeBytes { roster.index(ofEmail: $0) } == 0)
        #expect(Array("WEI.CHEN.2@mail.example.org".utf8).withUnsafeBytes { roster.index(ofEmail: $0) } == 3)
    }

    @Test func consecutiveIDsNeedNoTableOthersGetOne() throws {
        let dense = try Fixture.roster()
        #expect(dense.denseIDs != nil && dense.ids == nil)
        #expect(dense.index(ofID: "W-000012") == 11 && dense.index(ofID: "W-000013") == nil && dense.index(ofID: "W-000000") == nil)
        #expect(dense.index(ofID: "W-00001") == nil && dense.index(ofID: "X-000001") == nil && dense.index(ofID: "W-00000a") == nil)
        var shuffled = Fixture.workers
        shuffled.swapAt(0, 5)
        let sparse = try Fixture.roster(shuffled)
        #expect(sparse.denseIDs == nil && sparse.ids != nil)
        for (i, worker) in shuffled.enumerated() { #expect(sparse.index(ofID: worker.id) == i) }
        #expect(sparse.index(ofID: "W-000013") == nil)
    }

    @Test func tablesGrowPastTheirFirstSize() throws {
        // 3,000 distinct names: the name table starts at 1,024 slots and must grow.
        let workers = (1...3_000).map { Fixture.worker($0, "Name\($0) Surname\($0 % 97)", phone: String(format: "+1-%03d-555-%04d", 200 + $0 / 10_000, $0 % 10_000)) }
        let roster = try Fixture.roster(workers)
        for n in [1, 1_500, 3_000] {
            #expect(Array("Name\(n) Surname\(n % 97)".utf8).withUnsafeBytes { roster.hasName($0) })
            #expect(roster.index(ofPhoneNumber: UInt64(200 + n / 10_000) * 10_000_000 + 5_550_000 + UInt64(n % 10_000)) == n - 1)
        }
        #expect(!Array("Name1 Surname2".utf8).withUnsafeBytes { roster.hasName($0) })
    }

    @Test func internerCodesStayStableAsItGrows() throws {
        var interner = ByteInterner<String>()
        var made = 0
        for round in 0..<2 {
            for k in 0..<300 {
                let key = Array("city-\(k)".utf8)
                let code = try key.withUnsafeBytes { bytes throws(RosterBuilder.Rejection) in
                    try interner.code(bytes) { made += 1; return String(decoding: $0, as: UTF8.self) }
                }
                #expect(code == k, "round \(round)")
            }
        }
        #expect(made == 300 && interner.count == 300 && interner.values[299] == "city-299")
    }

    @Test func aFileReadInPartsGivesTheSameRoster() throws {
        // Parts see different first values, so their interned codes differ and must be translated.
        let odd = Worker(id: "W-000099", name: "Zoë O'Brien", role: "nurse", skills: ["x"], certifications: ["rn-license"], city: "Erie", state: "PA",
                         lat: 42.1292, lon: -80.0851, shifts: ["3rd"], days: ["sun"], payRate: 30, status: "on leave", phone: "+44 20 7946 0958", email: "z@uk.example")
        let workers = Array(Fixture.workers.reversed()) + [odd] + Fixture.workers.map { w in
            var copy = w
            copy.id = "X" + w.id
            return copy
        }
        let text = Array(workers.map { JSONCoding.string($0) }.joined(separator: "\n\n").utf8)
        let whole = try text.withUnsafeBytes { try RosterFile.parse($0, path: "r", parts: 1) }
        for parts in [2, 3, 5, 8] {
            let split = try text.withUnsafeBytes { try RosterFile.parse($0, path: "r", parts: parts) }
            #expect(split.count == workers.count)
            #expect((0..<split.count).map { split.worker($0) } == workers, "parts \(parts)")
            #expect((0..<whole.count).allSatisfy { whole.worker($0) == split.worker($0) })
            #expect(split.index(ofID: "XW-000001") == 13 && Array("z@UK.example".utf8).withUnsafeBytes { split.index(ofEmail: $0) } == 12)
            #expect(split.isActive(0) && !split.isActive(12) && split.index(ofPhoneNumber: 4195550142) == 11)
        }
    }

    @Test func errorsInALaterPartNameTheirFileLine() throws {
        var lines = Fixture.workers.map { JSONCoding.string($0) }
        lines.insert("", at: 3)
        lines.append(#"{"id":"W-000100"}"#)  // line 14
        lines.append(JSONCoding.string(Fixture.workers[4]))  // line 15: W-000005 again
        for parts in [1, 2, 4] {
            let bad = Array(lines.joined(separator: "\n").utf8)
            #expect { try bad.withUnsafeBytes { try RosterFile.parse($0, path: "r", parts: parts) } } throws: { error in
                (error as? ValidatorError)?.message.contains("line 14: missing field 'name'") == true
            }
            let duplicate = Array((lines.prefix(13) + [lines[14]]).joined(separator: "\n").utf8)
            #expect { try duplicate.withUnsafeBytes { try RosterFile.parse($0, path: "r", parts: parts) } } throws: { error in
                (error as? ValidatorError)?.message.contains("line 14: duplicate id (first on line 6)") == true
            }
        }
    }
}
