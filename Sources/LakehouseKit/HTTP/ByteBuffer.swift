/// A growable byte buffer with a read cursor: sockets append at the end, parsers consume from the front.
/// Consumed bytes are discarded lazily, so parsing pipelined requests does not shift memory per request.
public struct ByteBuffer: Sendable {
    public private(set) var storage: [UInt8] = []
    public private(set) var readerIndex = 0

    public init() {}
    public init(_ bytes: [UInt8]) { storage = bytes }

    public var readableCount: Int { storage.count - readerIndex }
    public var isEmpty: Bool { readableCount == 0 }
    public var readableBytes: ArraySlice<UInt8> { storage[readerIndex...] }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        storage.append(contentsOf: bytes)
    }

    public mutating func append<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 {
        storage.append(contentsOf: bytes)
    }

    public mutating func moveReader(by count: Int) {
        readerIndex += count
        precondition(readerIndex <= storage.count)
        if readerIndex == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= 1 << 20)
            readerIndex = 0
        } else if readerIndex >= 64 * 1024 && readerIndex * 2 >= storage.count {
            storage.removeFirst(readerIndex)
            readerIndex = 0
        }
    }

    /// Copies `count` bytes from the reader position and consumes them.
    public mutating func read(_ count: Int) -> [UInt8] {
        let bytes = Array(storage[readerIndex..<readerIndex + count])
        moveReader(by: count)
        return bytes
    }

    public mutating func clear() {
        storage.removeAll(keepingCapacity: false)
        readerIndex = 0
    }
}
