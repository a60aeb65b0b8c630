#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The full-precision vectors of an int8 index, in an unnamed file (O_TMPFILE) in the index's
/// directory mapped shared: the kernel keeps the pages it needs in the page cache and may write
/// the rest back and drop them, so they are not the process's anonymous memory. Derived data, never
/// fsynced: recovery rebuilds it from the snapshot and the log. The mapping reserves a large
/// address range once and never moves, so readers need no reload after growth; the file is
/// extended (ftruncate) ahead of every write, so no access ever reaches past its end.
final class FileBackedVectors: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    private let fd: Int32
    private let reserved: Int
    private(set) var fileBytes = 0

    struct Failure: Error, CustomStringConvertible { let description: String }

    init(directory: String, reserve bytes: Int = 1 << 38) throws {
        // O_TMPFILE is a macro Glibc's Swift module lacks: __O_TMPFILE (0o20000000 on x86-64 and
        // arm64) | O_DIRECTORY.
        var fd = open(directory, O_RDWR | 0o20_000_000 | O_DIRECTORY | O_CLOEXEC, 0o600)
        if fd < 0 {
            // File systems without O_TMPFILE: a named file, unlinked at once.
            let path = (directory as NSString).appendingPathComponent(".vectors-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 { unlink(path) }
        }
        guard fd >= 0 else { throw Failure(description: "\(directory): cannot create the vector file (errno \(errno))") }
        let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            close(fd)
            throw Failure(description: "\(directory): cannot map the vector file (errno \(errno))")
        }
        self.fd = fd
        self.base = mapped
        self.reserved = bytes
    }

    deinit {
        munmap(base, reserved)
        close(fd)
    }

    /// Makes the first `bytes` addressable (geometric growth). Caller serialises growth.
    func ensure(_ bytes: Int) {
        guard bytes > fileBytes else { return }
        precondition(bytes <= reserved, "vectord: int8 index exceeds its reserved vector space")
        let target = min(reserved, max(bytes, fileBytes + fileBytes / 2, 1 << 20))
        while ftruncate(fd, off_t(target)) != 0 {
            if errno == EINTR { continue }
            fatalError("vectord: cannot extend the vector file to \(target) bytes (errno \(errno))")
        }
        fileBytes = target
    }
}
