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
