import Foundation
import LakehouseKit

/// The web console: `GET /` (index.html) and `GET /console/{file}`, plain files from the repository's
/// `Console/` directory, read once at start and answered from memory with an `ETag`; a reload with
/// `If-None-Match` is a bodyless 304. Public like `/openapi.json`: the pages ask for the API key
/// themselves when `/v1` needs one.
struct ConsoleRoutes: Sendable {
    struct File: Sendable {
        let bytes: [UInt8]
        let contentType: String
        let etag: String
    }

    static let notModified: HTTPStatus = 304
    static let contentTypes = ["html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
                               "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon"]

    /// By file name; empty when no console directory was found (then `/` is a 404 saying so).
    let files: [String: File]
    let directory: String?

    init(directory: String?) {
        self.directory = directory
        var files: [String: File] = [:]
        if let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for name in names {
                guard let type = Self.contentTypes[(name as NSString).pathExtension.lowercased()],
                      let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
                let bytes = [UInt8](data)
                let etag = "\"" + String(CRC32C.checksum(bytes), radix: 16) + "-" + String(bytes.count, radix: 16) + "\""
                files[name] = File(bytes: bytes, contentType: type, etag: etag)
            }
        }
        self.files = files
    }

    /// `GATEWAY_CONSOLE_DIR`, else `Console/` next to the executable or in one of its parent
    /// directories (a build inside the repository finds the repository's).
    static func locate(configured: String?) -> String? {
        if let configured { return configured }
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("Console").path
            if FileManager.default.fileExists(atPath: candidate + "/index.html") { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    func index(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        try serve("index.html", request)
    }

    func file(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        try serve(request.pathParameters["file"] ?? "", request)
    }

    func serve(_ name: String, _ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        guard let file = files[name] else {
            if files.isEmpty { throw APIError.notFound("the console files were not found (looked in \(directory ?? "Console/ near the executable")); set GATEWAY_CONSOLE_DIR") }
            throw APIError.notFound("no console file '\(name)'")
        }
        // Always revalidated; a matching ETag costs a 304 without a body.
        var headers: HTTPHeaders = ["ETag": file.etag, "Cache-Control": "no-cache"]
        if request.headers["If-None-Match"].map({ $0.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == file.etag } }) == true {
            return HTTPResponse(status: Self.notModified, headers: headers)
        }
        headers.set("Content-Type", file.contentType)
        headers.set("X-Content-Type-Options", "nosniff")
        return HTTPResponse(status: .ok, headers: headers, body: file.bytes)
    }
}
