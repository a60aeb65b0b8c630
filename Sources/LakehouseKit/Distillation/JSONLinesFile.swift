#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Reading a JSONL artifact a line at a time (files of 100k records stay out of memory), and
/// writing one atomically: the whole new file is staged beside the old one and renamed over it
/// (`DurableFile`), so a crash leaves the old file or the new one, never a torn one.
public enum JSONLinesFile {
    /// Calls `body` with each non-empty line's bytes (without the newline) and its 1-based number.
    /// A missing file has no lines. Return false from `body` to stop early.
    public static func forEachLine(_ path: String, _ body: (_ line: ArraySlice<UInt8>, _ number: Int) throws -> Bool) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return }
            throw StorageError("open", path: path)
        }
        defer { close(fd) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var number = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError("read", path: path)
            }
            if n == 0 { break }
            pending.append(contentsOf: chunk[0..<n])
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                number += 1
                if newline > start, try !body(pending[start..<newline], number) { return }
                start = newline + 1
            }
            pending.removeSubrange(0..<start)
        }
        if !pending.isEmpty {
            number += 1
            _ = try body(pending[...], number)
        }
    }

    /// Decodes every line as `T`; a line that does not decode is an error naming its number.
    public static func decodeAll<T: Decodable>(_ path: String, as _: T.Type = T.self) throws -> [T] {
        var out: [T] = []
        let decoder = JSONDecoder()
        try forEachLine(path) { line, number in
            do {
                out.append(try decoder.decode(T.self, from: Data(line)))
            } catch {
                throw StorageError("decode line \(number) of", path: path, code: EINVAL)
            }
            return true
        }
        return out
    }

    /// Counts lines (records) without decoding them.
    public static func count(_ path: String) throws -> Int {
        var count = 0
        try forEachLine(path) { _, _ in count += 1; return true }
        return count
    }

    /// Writes `path` atomically from `write`, creating its directory first.
    public static func replace(_ path: String, write: (BufferedFileWriter) throws -> Void) throws {
        try DurableFile.createDirectory(DurableFile.parentDirectory(of: path))
        try DurableFile.atomicReplace(path: path, write: write)
    }
}

extension JSONLinesFile {
    /// Appends `lines` (each without its newline) by writing the old content plus them to a new
    /// file that atomically replaces the old one: readers see all of the old lines and all of the
    /// new, or only the old.
    public static func append(_ path: String, lines: [[UInt8]]) throws {
        try replace(path) { writer in
            try forEachLine(path) { old, _ in
                try writer.write(Array(old) + [0x0A])
                return true
            }
            for line in lines { try writer.write(line + [0x0A]) }
        }
    }

    /// True when a request body is empty or only whitespace (calls whose fields are all optional).
    public static func isBlank(_ body: [UInt8]) -> Bool { body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 } }
}

/// RFC 3339 UTC timestamps with milliseconds for artifact records (`2026-11-21T12:00:00.123Z`).
public enum ArtifactClock {
    public static func now() -> String {
        let now = Date().timeIntervalSince1970
        var t = time_t(now.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        let millis = min(999, max(0, Int((now - now.rounded(.down)) * 1000)))
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }
}
