#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A failed system call on a file, with the errno that explains it.
public struct StorageError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let path: String
    public let code: Int32

    public init(_ operation: String, path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code))) (errno \(code))" }
}

/// An open file descriptor with the few operations durable storage needs: full writes (retrying
/// short writes and EINTR), positional reads, truncation and fsync. Not thread-safe; one owner.
public final class FileHandleFD {
    public let path: String
    public private(set) var fd: Int32

    /// Opens `path` with open(2) `flags` (O_CLOEXEC is added).
    public init(path: String, flags: Int32, mode: mode_t = 0o644) throws {
        self.path = path
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StorageError("open", path: path) }
        self.fd = fd
    }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }

    public func close() throws {
        guard fd >= 0 else { return }
        let rc = Glibc.close(fd)
        fd = -1
        if rc != 0 { throw StorageError("close", path: path) }
    }

    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard var p = buffer.baseAddress else { return }
        var left = buffer.count
        while left > 0 {
            let n = Glibc.write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError("write", path: path)
            }
            p += n
            left -= n
        }
    }

    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// fsync(2): data and metadata of this file reach stable storage.
    public func sync() throws {
        while Glibc.fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw StorageError("fsync", path: path)
        }
    }

    public func truncate(to length: Int) throws {
        guard ftruncate(fd, off_t(length)) == 0 else { throw StorageError("ftruncate", path: path) }
    }

    public func seekToEnd() throws -> Int {
        let off = lseek(fd, 0, SEEK_END)
        guard off >= 0 else { throw StorageError("lseek", path: path) }
        return Int(off)
    }

    public func size() throws -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StorageError("fstat", path: path) }
        return Int(st.st_size)
    }

    /// Reads the whole file from offset 0.
    public func readAll() throws -> [UInt8] {
        let total = try size()
        var out = [UInt8](repeating: 0, count: total)
        var done = 0
        try out.withUnsafeMutableBytes { raw in
            while done < total {
                let n = pread(fd, raw.baseAddress! + done, total - done, off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw StorageError("pread", path: path)
                }
                if n == 0 { break }
                done += n
            }
        }
        if done < total { out.removeSubrange(done...) }
        return out
    }
}

/// Durable file operations (SPEC §4 "durability"): a write is on disk only after fsync, a file is
/// replaced atomically by temp + fsync + rename + fsync of the directory, and a directory entry
/// (create, rename, unlink) is durable only after the directory itself is fsynced.
public enum DurableFile {
    /// fsync of a directory, which makes creations, renames and removals inside it durable.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError("open directory", path: path) }
        defer { _ = Glibc.close(fd) }
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw StorageError("fsync directory", path: path)
        }
    }

    /// The directory that holds `path`.
    public static func parentDirectory(of path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    /// Replaces `path` atomically with whatever `write` produces: the bytes go to a temporary file
    /// beside it, which is fsynced, renamed over `path`, and the directory fsynced. A crash at any
    /// point leaves either the old file or the new one, never a mixture.
    public static func atomicReplace(path: String, write: (BufferedFileWriter) throws -> Void) throws {
        try stageReplacement(of: path, write: write).commit()
    }

    /// The first half of `atomicReplace`: writes the temporary file (to the page cache, not yet
    /// fsynced). Lets a caller hold a lock only while the content is produced and do the slow
    /// fsync + rename + directory fsync (`commit`) after releasing it.
    public static func stageReplacement(of path: String, write: (BufferedFileWriter) throws -> Void) throws
        -> StagedReplacement
    {
        let temp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            let handle = try FileHandleFD(path: temp, flags: O_WRONLY | O_CREAT | O_TRUNC)
            let writer = BufferedFileWriter(handle)
            try write(writer)
            try writer.flush()
            return StagedReplacement(handle: handle, temp: temp, path: path)
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// Atomically replaces `path` with `bytes`.
    public static func atomicReplace(path: String, bytes: [UInt8]) throws {
        try atomicReplace(path: path) { try $0.write(bytes) }
    }

    /// Creates a directory (and missing parents), fsyncing each parent whose entry list changed.
    public static func createDirectory(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { return }
            throw StorageError("mkdir (not a directory)", path: path, code: ENOTDIR)
        }
        let parent = parentDirectory(of: path)
        if parent != path { try createDirectory(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw StorageError("mkdir", path: path) }
        try syncDirectory(parent)
    }

    /// Renames `from` to `to` and fsyncs the directories involved.
    public static func renameDurably(from: String, to: String) throws {
        guard rename(from, to) == 0 else { throw StorageError("rename", path: from) }
        let a = parentDirectory(of: from), b = parentDirectory(of: to)
        try syncDirectory(b)
        if a != b { try syncDirectory(a) }
    }

    /// Removes a directory tree durably: first renamed aside (one atomic, fsynced step, after which
    /// the tree is gone as far as recovery is concerned), then deleted.
    public static func removeTreeDurably(_ path: String) throws {
        let aside = parentDirectory(of: path) + "/.removing-\((path as NSString).lastPathComponent)-\(UInt32.random(in: 0...UInt32.max))"
        try renameDurably(from: path, to: aside)
        try? FileManager.default.removeItem(atPath: aside)
        try? syncDirectory(parentDirectory(of: path))
    }

    /// Removes a file and fsyncs its directory.
    public static func removeFileDurably(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw StorageError("unlink", path: path) }
        try syncDirectory(parentDirectory(of: path))
    }
}

/// A fully written temporary file waiting to replace its target (see `stageReplacement`).
public final class StagedReplacement {
    private let handle: FileHandleFD
    private let temp: String
    public let path: String
    private var done = false

    init(handle: FileHandleFD, temp: String, path: String) {
        self.handle = handle
        self.temp = temp
        self.path = path
    }

    deinit { if !done { abandon() } }

    /// fsync, rename over the target, fsync the directory.
    public func commit() throws {
        guard !done else { return }
        done = true
        do {
            try handle.sync()
            try handle.close()
            guard rename(temp, path) == 0 else { throw StorageError("rename", path: temp) }
        } catch {
            unlink(temp)
            throw error
        }
        try DurableFile.syncDirectory(DurableFile.parentDirectory(of: path))
    }

    /// Discards the temporary file.
    public func abandon() {
        guard !done else { return }
        done = true
        try? handle.close()
        unlink(temp)
    }
}

/// A buffered writer over a file descriptor, for streaming large files (snapshots) without holding
/// them in memory. Call `flush()` before syncing.
public final class BufferedFileWriter {
    public let handle: FileHandleFD
    private var buffer: [UInt8] = []
    private let capacity: Int
    public private(set) var bytesWritten = 0

    public init(_ handle: FileHandleFD, capacity: Int = 1 << 20) {
        self.handle = handle
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    public func write(_ raw: UnsafeRawBufferPointer) throws {
        bytesWritten += raw.count
        if buffer.count + raw.count > capacity {
            try flush()
            if raw.count >= capacity {
                try handle.write(raw)
                return
            }
        }
        buffer.append(contentsOf: raw)
    }

    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try handle.write($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
