import Foundation
import Glibc

/// `lakehouse bench-http`: a small bounded HTTP/1.1 load generator for the benchmark scripts, with
/// the one mode wrk lacks: a constant request rate (wrk2-style). Each of `connections` threads
/// keeps one keep-alive connection. At a fixed `--rate`, request n of the run is due at
/// start + n/rate (spread round-robin over the connections) and its latency is measured from when
/// it was due, not from when it was sent, so a stall is charged to every request it delayed
/// (no coordinated omission). Without `--rate` each connection sends as fast as answers come.
/// Prints one line: `rps=… p50_ms=… p95_ms=… p99_ms=… max_ms=… errors=… requests=…`.
struct LoadGenerator {
    var host = "127.0.0.1"
    var port = 0
    var path = "/"
    var body: [UInt8] = []
    var connections = 10
    var seconds = 10.0
    var rate: Double?
    /// Also require this text in every answer (same answers checked across targets).
    var expect: String?

    init(arguments: [String]) throws {
        var index = 0
        func value() throws -> String {
            index += 1
            guard index < arguments.count else { throw LoadError.usage("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--url":
                let url = try value()
                guard url.hasPrefix("http://") else { throw LoadError.usage("only http:// URLs") }
                let rest = url.dropFirst(7)
                let slash = rest.firstIndex(of: "/") ?? rest.endIndex
                let authority = rest[..<slash].split(separator: ":")
                host = String(authority.first ?? "127.0.0.1")
                port = authority.count > 1 ? Int(authority[1]) ?? 80 : 80
                path = slash == rest.endIndex ? "/" : String(rest[slash...])
            case "--body-file": body = Array(try Data(contentsOf: URL(fileURLWithPath: try value())))
            case "--connections": connections = max(1, Int(try value()) ?? 10)
            case "--duration": seconds = max(0.1, Double(try value()) ?? 10)
            case "--rate": rate = Double(try value())
            case "--expect": expect = try value()
            default: throw LoadError.usage("unknown option \(arguments[index])")
            }
            index += 1
        }
        guard port > 0 else { throw LoadError.usage("--url http://host:port/path is required") }
    }

    enum LoadError: Error, CustomStringConvertible {
        case usage(String)
        var description: String {
            if case .usage(let text) = self {
                return "\(text)\nusage: lakehouse bench-http --url http://127.0.0.1:PORT/path [--body-file F] [--connections 10] [--duration 10] [--rate RPS] [--expect TEXT]"
            }
            return "error"
        }
    }

    final class Worker: @unchecked Sendable {
        var latencies: [Double] = []
        var errors = 0
    }

    func run() throws {
        let request = requestBytes()
        let workers = (0..<connections).map { _ in Worker() }
        let start = Self.now() + 0.05
        let end = start + seconds
        let threads = workers.enumerated().map { offset, worker in
            Thread { [self] in drive(worker, index: offset, request: request, start: start, end: end) }
        }
        for thread in threads { thread.stackSize = 1 << 20; thread.start() }
        while threads.contains(where: { !$0.isFinished }) { usleep(10_000) }
        var all = workers.flatMap(\.latencies)
        all.sort()
        let errors = workers.reduce(0) { $0 + $1.errors }
        func percentile(_ p: Double) -> Double { all.isEmpty ? 0 : all[min(all.count - 1, Int(Double(all.count) * p))] * 1000 }
        let line = String(format: "rps=%.1f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d requests=%d",
                          Double(all.count) / seconds, percentile(0.5), percentile(0.95), percentile(0.99), (all.last ?? 0) * 1000, errors, all.count)
        print(line)
    }

    private func requestBytes() -> [UInt8] {
        var head = "\(body.isEmpty ? "GET" : "POST") \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        if !body.isEmpty { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    private func drive(_ worker: Worker, index: Int, request: [UInt8], start: Double, end: Double) {
        var connection: Int32 = -1
        var sequence = 0
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        while true {
            var due = Self.now()
            if let rate {
                // Request n of this connection is global request index + n·connections.
                due = start + Double(index + sequence * connections) / rate
                sequence += 1
                if due >= end { break }
                let wait = due - Self.now()
                if wait > 0 { usleep(useconds_t(wait * 1e6)) }
            } else if due >= end {
                break
            } else if due < start {
                usleep(useconds_t((start - due) * 1e6))
                due = Self.now()
            }
            if connection < 0 { connection = connect() }
            guard connection >= 0, send(connection, request), let answer = receive(connection, &buffer) else {
                worker.errors += 1
                if connection >= 0 { close(connection) }
                connection = -1
                continue
            }
            if answer.status >= 400 || (expect != nil && !answer.body.contains(expect!)) { worker.errors += 1 }
            worker.latencies.append(Self.now() - due)
        }
        if connection >= 0 { close(connection) }
    }

    private func connect() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 { close(fd); return -1 }
        return fd
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// One response: status and body text (Content-Length or chunked; a streamed body is read to its end).
    private func receive(_ fd: Int32, _ buffer: inout [UInt8]) -> (status: Int, body: String)? {
        var data: [UInt8] = []
        var headEnd: Int?
        while true {
            if headEnd == nil, let end = Self.find(Array("\r\n\r\n".utf8), in: data) { headEnd = end + 4 }
            if let headEnd {
                let head = String(decoding: data[..<headEnd], as: UTF8.self)
                let lines = head.lowercased().components(separatedBy: "\r\n")
                let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
                if let length = lines.first(where: { $0.hasPrefix("content-length:") }).flatMap({ Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) }) {
                    if data.count >= headEnd + length { return (status, String(decoding: data[headEnd..<(headEnd + length)], as: UTF8.self)) }
                } else if lines.contains("transfer-encoding: chunked") {
                    if data.count >= headEnd + 5 && data.suffix(7).elementsEqual("\r\n0\r\n\r\n".utf8.suffix(7)) {
                        return (status, String(decoding: data[headEnd...], as: UTF8.self))
                    }
                } else {
                    return (status, "")
                }
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
