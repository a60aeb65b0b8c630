import Foundation
import LakehouseKit

/// `quantizer.bin` in an int8 index's directory: the quantiser's parameters, written atomically
/// once when trained (before any code made with them is used). The snapshot carries them as well.
/// Layout: magic `LHVQNT01`, dims, offsets, scales (little-endian floats), CRC32C of the rest.
enum QuantizerFile {
    static let name = "quantizer.bin"
    static let magic: [UInt8] = Array("LHVQNT01".utf8)

    static func write(_ q: ScalarQuantizer, directory: String) throws {
        var w = ByteWriter()
        w.bytes.append(contentsOf: magic)
        q.write(to: &w)
        let crc = w.bytes.withUnsafeBytes { CRC32C.checksum($0) }
        w.u32(crc)
        try DurableFile.atomicReplace(path: (directory as NSString).appendingPathComponent(name), bytes: w.bytes)
    }

    static func read(directory: String) throws -> ScalarQuantizer? {
        let path = (directory as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        return try bytes.withUnsafeBytes { raw in
            guard raw.count >= magic.count + 8, Array(raw[0..<magic.count]) == magic else {
                throw IndexSnapshot.Corrupt(description: "\(path): not a quantiser file")
            }
            let body = UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 4)])
            let stored = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - 4, as: UInt32.self))
            guard CRC32C.checksum(body) == stored else { throw IndexSnapshot.Corrupt(description: "\(path): checksum mismatch") }
            var r = ByteReader(UnsafeRawBufferPointer(rebasing: body[magic.count...]))
            do {
                return try ScalarQuantizer.read(from: &r)
            } catch {
                throw IndexSnapshot.Corrupt(description: "\(path): truncated")
            }
        }
    }
}
