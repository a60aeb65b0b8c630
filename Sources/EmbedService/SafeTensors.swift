import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `.safetensors` file (Hugging Face's weight format) mapped read-only into memory: an 8-byte
/// little-endian header length, a JSON header naming each tensor's dtype, shape and byte range,
/// then the raw little-endian data. Every claim of the header is checked against the file before a
/// tensor is handed out, so a truncated file or a header that lies is an error, never a bad read.
final class SafeTensors {
    struct Tensor: Equatable {
        let dtype: String
        let shape: [Int]
        /// Byte range within the data section (after the header).
        let range: Range<Int>
    }

    /// Bytes per element of the dtypes the format defines; only F32 can be read as floats here.
    static let elementSizes: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
        "U16": 2, "U32": 4, "U64": 8, "F8_E4M3": 1, "F8_E5M2": 1,
    ]
    /// A header larger than this is not a model header (the format itself caps it at 100 MB).
    static let maxHeaderBytes = 100 << 20

    let path: String
    let tensors: [String: Tensor]
    private let base: UnsafeMutableRawPointer?
    private let mappedBytes: Int
    private let dataOffset: Int

    init(path: String) throws(MiniLMModelError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw MiniLMModelError(path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw MiniLMModelError(path, "cannot stat: \(String(cString: strerror(errno)))") }
        let size = Int(info.st_size)
        guard size >= 8 else { throw MiniLMModelError(path, "truncated: \(size) bytes, shorter than the 8-byte header length") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw MiniLMModelError(path, "cannot map: \(String(cString: strerror(errno)))")
        }
        do throws(MiniLMModelError) {
            let headerLength = UInt64(littleEndian: mapped.loadUnaligned(as: UInt64.self))
            guard headerLength <= UInt64(min(Self.maxHeaderBytes, size - 8)) else {
                throw MiniLMModelError(path, "truncated or corrupt: the header claims \(headerLength) bytes, the file has \(size)")
            }
            let header = Data(bytes: mapped + 8, count: Int(headerLength))
            dataOffset = 8 + Int(headerLength)
            tensors = try Self.parseHeader(header, dataBytes: size - dataOffset, path: path)
        } catch {
            munmap(mapped, size)
            throw error
        }
        base = mapped
        mappedBytes = size
    }

    deinit {
        if let base { munmap(base, mappedBytes) }
        for copy in unalignedCopies { copy.deallocate() }
    }

    private static func parseHeader(_ header: Data, dataBytes: Int, path: String) throws(MiniLMModelError) -> [String: Tensor] {
        guard let object = try? JSONSerialization.jsonObject(with: header), let entries = object as? [String: Any] else {
            throw MiniLMModelError(path, "the header is not a JSON object")
        }
        var tensors: [String: Tensor] = [:]
        for (name, value) in entries where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else {
                throw MiniLMModelError(path, "tensor \(name): expected {dtype, shape, data_offsets: [begin, end]}")
            }
            guard let elementSize = elementSizes[dtype] else { throw MiniLMModelError(path, "tensor \(name): unknown dtype \(dtype)") }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataBytes else {
                throw MiniLMModelError(
                    path, "truncated or corrupt: tensor \(name) claims bytes \(offsets[0])..<\(offsets[1]) of a \(dataBytes)-byte data section")
            }
            var count = 1
            for dimension in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard dimension >= 0, !overflow else { throw MiniLMModelError(path, "tensor \(name): bad shape \(shape)") }
                count = product
            }
            guard count.multipliedReportingOverflow(by: elementSize) == (offsets[1] - offsets[0], false) else {
                throw MiniLMModelError(
                    path, "tensor \(name): shape \(shape) of \(dtype) needs \(count * elementSize) bytes, the header gives \(offsets[1] - offsets[0])")
            }
            tensors[name] = Tensor(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        return tensors
    }

    /// The tensor's F32 values, checked to have `shape`.
    func floats(_ name: String, shape: [Int]) throws(MiniLMModelError) -> UnsafeBufferPointer<Float> {
        guard let tensor = tensors[name] else { throw MiniLMModelError(path, "missing tensor \(name)") }
        guard tensor.dtype == "F32" else { throw MiniLMModelError(path, "tensor \(name) is \(tensor.dtype); only F32 is supported") }
        guard tensor.shape == shape else { throw MiniLMModelError(path, "tensor \(name) has shape \(tensor.shape), expected \(shape)") }
        guard let base else { throw MiniLMModelError(path, "not mapped") }
        let start = base + dataOffset + tensor.range.lowerBound
        // Tensor data is 4-byte aligned in practice; an unaligned one is copied.
        if Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
            return UnsafeBufferPointer(start: start.assumingMemoryBound(to: Float.self), count: tensor.range.count / 4)
        }
        let copy = UnsafeMutableBufferPointer<Float>.allocate(capacity: tensor.range.count / 4)
        copy.withMemoryRebound(to: UInt8.self) { bytes in
            _ = bytes.initialize(from: UnsafeRawBufferPointer(start: start, count: tensor.range.count))
        }
        unalignedCopies.append(copy)
        return UnsafeBufferPointer(copy)
    }

    private var unalignedCopies: [UnsafeMutableBufferPointer<Float>] = []

    /// Drops the mapped pages that lie wholly inside the tensor's bytes, once they have been copied:
    /// loading then never holds the whole file and all the weights at the same time (peak RSS).
    func release(_ name: String) {
        guard let base, let tensor = tensors[name] else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = dataOffset + tensor.range.lowerBound, end = dataOffset + tensor.range.upperBound
        let first = (start + page - 1) / page * page, last = end / page * page
        if first < last { _ = madvise(base + first, last - first, Int32(MADV_DONTNEED)) }
    }
}
