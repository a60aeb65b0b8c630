import Foundation
import Glibc
import LakehouseKit
import Synchronization

/// One roster line as the strict reader parses it (the fields of `Worker`).
struct RosterRecord {
    var id = ""
    var name = ""
    var role = ""
    var skills: [String] = []
    var certifications: [String] = []
    var city = ""
    var state = ""
    var lat = 0.0
    var lon = 0.0
    var shifts: [String] = []
    var days: [String] = []
    var payRate = 0.0
    var status = ""
    var phone = ""
    var email = ""

    /// Calls `body` with the record as byte views (lists as compact JSON text, the builder's key).
    func withRawWorker<T>(_ body: (RawWorker) throws(RosterBuilder.Rejection) -> T) throws(RosterBuilder.Rejection) -> T {
        let parts = [id, name, role, city, state, status, phone, email].map { Array($0.utf8) }
            + [skills, certifications, shifts, days].map { Array(JSONCoding.string($0).utf8) }
        let scratch = parts.flatMap { $0 }
        return try scratch.withUnsafeBytes { base in Result { () throws(RosterBuilder.Rejection) -> T in
            var offset = 0
            var views: [UnsafeRawBufferPointer] = []
            for part in parts {
                views.append(UnsafeRawBufferPointer(rebasing: base[offset..<(offset + part.count)]))
                offset += part.count
            }
            let w = RawWorker(id: views[0], name: views[1], role: views[2], city: views[3], state: views[4], status: views[5], phone: views[6],
                              email: views[7], skills: views[8], certifications: views[9], shifts: views[10], days: views[11],
                              lat: lat, lon: lon, payRate: payRate)
            return try body(w)
        } }.get()
    }
}

/// What went wrong inside one line (the loader adds the file and line number).
struct RosterLineError: JSONReaderFailure {
    let message: String
    static func syntax(_ message: String) -> RosterLineError { RosterLineError(message: "not valid JSON: \(message)") }
}

/// Reads a roster JSONL file (SPEC §5: one `Worker` object a line) into a `CompactRoster`. The file
/// is mapped, its lines counted first so every column is reserved at its final size, then each
/// line parsed in place. Blank lines are skipped; any bad line fails the whole load, naming the
/// first one (a roster is replaced whole or not at all).
public enum RosterFile {
    static let fieldCount = 15

    public static func load(path: String) throws(ValidatorError) -> CompactRoster {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw ValidatorError(.notFound, "roster file \(path) does not exist") }
            throw ValidatorError(.unprocessable, "roster file \(path) cannot be read: \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ValidatorError(.unprocessable, "roster file \(path) cannot be read: fstat failed") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ValidatorError(.unprocessable, "roster path \(path) is not a regular file") }
        let size = Int(info.st_size)
        if size == 0 { return try parse(UnsafeRawBufferPointer(start: nil, count: 0), path: path) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw ValidatorError(.unprocessable, "roster file \(path) cannot be mapped: \(String(cString: strerror(errno)))")
        }
        defer { munmap(base, size) }
        _ = madvise(base, size, MADV_SEQUENTIAL)
        return try parse(UnsafeRawBufferPointer(start: base, count: size), path: path)
    }

    /// Parses JSONL bytes (exposed for tests that hold a roster in memory). A large file is cut at
    /// a line boundary into `parts` read on as many threads, each into its own builder; the later
    /// builders are then appended to the first, so the roster is the same as from one pass.
    static func parse(_ bytes: UnsafeRawBufferPointer, path: String, parts requested: Int? = nil) throws(ValidatorError) -> CompactRoster {
        let parts = max(1, min(requested ?? (bytes.count >= 8 << 20 ? 2 : 1), 8))
        var bounds = [0]
        for k in 1..<max(parts, 1) {
            let cut = max(bounds.last!, nextNewline(bytes, bytes.count * k / parts) + 1)
            bounds.append(min(cut, bytes.count))
        }
        bounds.append(bytes.count)
        let cuts = bounds
        // Lines per part: sizes every column up front, and numbers each part's lines.
        let lineCounts = (0..<parts).map { k in countLines(bytes, cuts[k]..<cuts[k + 1]) }
        let total = lineCounts.reduce(0, +)
        let results = Mutex<[Result<ParsedPart, ValidatorError>?]>(Array(repeating: nil, count: parts))
        nonisolated(unsafe) let shared = bytes
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            let firstLine = lineCounts[..<k].reduce(0, +)
            let result = Result { () throws(ValidatorError) -> ParsedPart in
                try parsePart(shared, cuts[k]..<cuts[k + 1], firstLine: firstLine, capacity: k == 0 ? total : lineCounts[k], path: path)
            }
            results.withLock { $0[k] = result }
        }
        var parsed: [ParsedPart] = []
        for result in results.withLock({ $0 }) { parsed.append(try result!.get()) }
        var first = parsed.removeFirst()
        for part in parsed {
            do {
                try first.builder.absorb(part.builder)
            } catch {
                throw ValidatorError(.unprocessable, "roster file \(path): \(error.message)")
            }
            first.lineNumbers.append(contentsOf: part.lineNumbers)
        }
        let lineNumbers = first.lineNumbers
        do {
            return try first.builder.finish()
        } catch {
            throw ValidatorError(.unprocessable, "roster file \(path) line \(lineNumbers[error.second]): duplicate id (first on line \(lineNumbers[error.first]))")
        }
    }

    struct ParsedPart: Sendable {
        var builder: RosterBuilder
        var lineNumbers: [UInt32]
    }

    /// memchr finds the line ends (the loader's hottest loop is otherwise this byte scan).
    private static func nextNewline(_ bytes: UnsafeRawBufferPointer, _ from: Int) -> Int {
        guard from < bytes.count, let found = memchr(bytes.baseAddress! + from, 0x0A, bytes.count - from) else { return bytes.count }
        return bytes.baseAddress!.distance(to: UnsafeRawPointer(found))
    }

    /// Mapped pages already read are dropped as a scan moves on, so a 170 MB file does not sit in
    /// the daemon's resident memory while it loads.
    private struct PageRelease {
        let bytes: UnsafeRawBufferPointer
        var released: Int
        static let page = Int(sysconf(Int32(_SC_PAGESIZE)))

        init(_ bytes: UnsafeRawBufferPointer, from start: Int) {
            self.bytes = bytes
            released = (start + Self.page - 1) / Self.page * Self.page
        }

        mutating func release(before offset: Int) {
            let end = offset / Self.page * Self.page
            guard end - released >= 16 << 20, let base = bytes.baseAddress else { return }
            _ = madvise(UnsafeMutableRawPointer(mutating: base + released), end - released, MADV_DONTNEED)
            released = end
        }
    }

    private static func countLines(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int {
        var pages = PageRelease(bytes, from: range.lowerBound)
        var lines = 0
        var scan = range.lowerBound
        while scan < range.upperBound {
            scan = min(nextNewline(bytes, scan), range.upperBound) + 1
            lines += 1
            pages.release(before: min(scan, range.upperBound))
        }
        return lines
    }

    private static func parsePart(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, firstLine: Int, capacity: Int, path: String) throws(ValidatorError) -> ParsedPart {
        var pages = PageRelease(bytes, from: range.lowerBound)
        var part = ParsedPart(builder: RosterBuilder(expectedCount: capacity), lineNumbers: [])
        part.lineNumbers.reserveCapacity(capacity)
        var lineStart = range.lowerBound
        var lineNumber = firstLine
        while lineStart < range.upperBound {
            lineNumber += 1
            let lineEnd = min(nextNewline(bytes, lineStart), range.upperBound)
            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            pages.release(before: lineStart)
            lineStart = lineEnd + 1
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            do {
                if let raw = RosterLineScanner.scan(line) {
                    try part.builder.append(raw)
                } else {
                    try parseLine(line).withRawWorker { (raw) throws(RosterBuilder.Rejection) in try part.builder.append(raw) }
                }
                part.lineNumbers.append(UInt32(truncatingIfNeeded: lineNumber))
            } catch let error as RosterLineError {
                throw ValidatorError(.unprocessable, "roster file \(path) line \(lineNumber): \(error.message)")
            } catch let error as RosterBuilder.Rejection {
                throw ValidatorError(.unprocessable, "roster file \(path) line \(lineNumber): \(error.message)")
            } catch {
                throw ValidatorError(.unprocessable, "roster file \(path) line \(lineNumber): \(error)")
            }
        }
        return part
    }

    static func parseLine(_ line: UnsafeRawBufferPointer) throws(RosterLineError) -> RosterRecord {
        var reader = JSONReader<RosterLineError>(line)
        guard try reader.peekKind() == .object else { throw RosterLineError(message: "expected a JSON object (one worker)") }
        var record = RosterRecord()
        var seen: UInt16 = 0
        try reader.readObject { (key, r) throws(RosterLineError) in
            switch key {
            case "id": record.id = try string(&r, key); seen |= 1 << 0
            case "name": record.name = try string(&r, key); seen |= 1 << 1
            case "role": record.role = try string(&r, key); seen |= 1 << 2
            case "skills": record.skills = try strings(&r, key); seen |= 1 << 3
            case "certifications": record.certifications = try strings(&r, key); seen |= 1 << 4
            case "city": record.city = try string(&r, key); seen |= 1 << 5
            case "state": record.state = try string(&r, key); seen |= 1 << 6
            case "lat": record.lat = try number(&r, key, in: -90...90); seen |= 1 << 7
            case "lon": record.lon = try number(&r, key, in: -180...180); seen |= 1 << 8
            case "shifts": record.shifts = try strings(&r, key); seen |= 1 << 9
            case "days": record.days = try strings(&r, key); seen |= 1 << 10
            case "pay_rate": record.payRate = try number(&r, key, in: 0...1_000_000); seen |= 1 << 11
            case "status": record.status = try string(&r, key); seen |= 1 << 12
            case "phone": record.phone = try string(&r, key); seen |= 1 << 13
            case "email": record.email = try string(&r, key); seen |= 1 << 14
            default: try r.skipValue()
            }
        }
        try reader.expectEnd()
        if seen != (1 << fieldCount) - 1 {
            let names = ["id", "name", "role", "skills", "certifications", "city", "state", "lat", "lon", "shifts", "days", "pay_rate",
                         "status", "phone", "email"]
            let missing = names.indices.first { seen & (1 << UInt16($0)) == 0 }!
            throw RosterLineError(message: "missing field '\(names[missing])'")
        }
        return record
    }

    private static func string(_ r: inout JSONReader<RosterLineError>, _ key: String) throws(RosterLineError) -> String {
        guard try r.peekKind() == .string else { throw RosterLineError(message: "field '\(key)' must be a string") }
        return try r.readString()
    }

    private static func number(_ r: inout JSONReader<RosterLineError>, _ key: String, in range: ClosedRange<Double>) throws(RosterLineError) -> Double {
        guard try r.peekKind() == .number else { throw RosterLineError(message: "field '\(key)' must be a number") }
        let value = try r.readDouble()
        guard range.contains(value) else {
            throw RosterLineError(message: "field '\(key)' must be from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        return value
    }

    private static func strings(_ r: inout JSONReader<RosterLineError>, _ key: String) throws(RosterLineError) -> [String] {
        guard try r.peekKind() == .array else { throw RosterLineError(message: "field '\(key)' must be an array of strings") }
        var values: [String] = []
        try r.readArray { (index, r) throws(RosterLineError) in
            guard try r.peekKind() == .string else { throw RosterLineError(message: "field '\(key)[\(index)]' must be a string") }
            values.append(try r.readString())
        }
        return values
    }
}
