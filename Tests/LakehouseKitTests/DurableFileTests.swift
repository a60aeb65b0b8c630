import Foundation
import LakehouseKit
import Testing

@Suite struct DurableFileTests {
    @Test func atomicReplaceLeavesOnlyTheNewContentAndNoTemporaryFiles() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/meta.json"
        try DurableFile.atomicReplace(path: path, bytes: Array("one".utf8))
        try DurableFile.atomicReplace(path: path, bytes: Array("two".utf8))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["meta.json"])
    }

    @Test func failedWriterKeepsTheOldFile() throws {
        struct Boom: Error {}
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/f"
        try DurableFile.atomicReplace(path: path, bytes: [1, 2, 3])
        #expect(throws: Boom.self) {
            try DurableFile.atomicReplace(path: path) { w in
                try w.write([9, 9])
                throw Boom()
            }
        }
        #expect(Array(FileManager.default.contents(atPath: path)!) == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["f"])
    }

    @Test func removeTreeDurablyRemovesDirectory() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        try DurableFile.createDirectory(dir.path + "/a/b")
        try DurableFile.atomicReplace(path: dir.path + "/a/b/x", bytes: [1])
        try DurableFile.removeTreeDurably(dir.path + "/a")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
