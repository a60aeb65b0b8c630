import Foundation
import Glibc
import Synchronization
import LakehouseKit

/// One real daemon binary started as a child process on a chosen port, with its own log file.
final class DaemonProcess: @unchecked Sendable {
    let daemon: Daemon
    let port: Int
    let environment: [String: String]
    let logPath: String
    private(set) var process: Process?

    init(daemon: Daemon, port: Int, environment: [String: String], logPath: String) {
        self.daemon = daemon
        self.port = port
        self.environment = environment
        self.logPath = logPath
    }

    /// Where the built executables are: `LAKEHOUSE_BIN_DIR`, else next to the test bundle
    /// (SwiftPM builds the daemons into the same folder because FleetTests depends on them).
    static var binDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["LAKEHOUSE_BIN_DIR"], !dir.isEmpty { return dir }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(DaemonProcess.binDirectory)/\(daemon.rawValue)")
        process.environment = environment
        if !FileManager.default.fileExists(atPath: logPath) {
            guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardError = log
        process.standardOutput = log
        try process.run()
        self.process = process
    }

    var pid: Int32 { process?.processIdentifier ?? 0 }
    var isRunning: Bool { process?.isRunning ?? false }

    func signal(_ number: Int32) {
        if let process, process.isRunning { kill(process.processIdentifier, number) }
    }

    /// SIGKILL and reap: no chance to flush anything.
    func killHard() {
        signal(SIGKILL)
        process?.waitUntilExit()
    }

    /// SIGTERM and wait (bounded); returns the exit status, or nil if it had to be killed.
    func terminate(timeout: TimeInterval = 15) -> Int32? {
        guard let process, process.isRunning else { return process?.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            killHard()
            return nil
        }
        return process.terminationStatus
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

/// The whole fleet (or a subset) on free loopback ports with a temporary data directory.
final class Fleet: @unchecked Sendable {
    let dataDirectory: String
    let ports: [Daemon: Int]
    let environment: [String: String]
    private(set) var processes: [Daemon: DaemonProcess] = [:]
    let client = HTTPClient(configuration: .init(connectTimeoutMs: 500, requestTimeoutMs: 10_000))

    init(extraEnvironment: [String: String] = [:]) throws {
        dataDirectory = NSTemporaryDirectory() + "lakehouse-fleet-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        var ports: [Daemon: Int] = [:]
        for daemon in Daemon.allCases { ports[daemon] = try Fleet.freePort() }
        self.ports = ports
        // Nothing of the caller's fleet configuration leaks in: every daemon's own variables are dropped.
        let foreign = ["LAKEHOUSE_", "NOTIFY_", "WATCHDOG_"] + Daemon.allCases.map { $0.rawValue.uppercased() + "_" }
        var environment = ProcessInfo.processInfo.environment.filter { variable in !foreign.contains { variable.key.hasPrefix($0) } }
        environment["LAKEHOUSE_DATA_DIR"] = dataDirectory
        environment["LAKEHOUSE_EVENT_LOOPS"] = "2"
        for (daemon, port) in ports { environment[daemon.addressVariable] = "127.0.0.1:\(port)" }
        for (key, value) in extraEnvironment { environment[key] = value }
        self.environment = environment
    }

    /// Ports given to fleets of this test process; none is given twice.
    private static let handedOut = Mutex<Set<Int>>([])

    /// A port no fleet of this test process has been given, that nothing listens on now, and that
    /// lies below the kernel's ephemeral range (32768–60999 by default), so that no outgoing
    /// connection's local port can take it before its daemon binds it. (Ports the kernel handed out
    /// for port 0 collided: fleets running side by side got each other's ports.)
    static func freePort() throws -> Int {
        for _ in 0..<2_000 {
            let port = Int.random(in: 20_000..<32_000)
            guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            if bound == 0 { return port }
        }
        throw CocoaError(.fileWriteUnknown)
    }

    func start(_ daemons: [Daemon] = Daemon.allCases, environment extra: [String: String] = [:]) throws {
        for daemon in daemons {
            let process = DaemonProcess(daemon: daemon, port: ports[daemon]!, environment: environment.merging(extra) { $1 },
                                        logPath: "\(dataDirectory)/\(daemon.rawValue).log")
            try process.start()
            processes[daemon] = process
        }
    }

    func restart(_ daemon: Daemon) throws {
        guard let old = processes[daemon] else { return }
        let process = DaemonProcess(daemon: daemon, port: old.port, environment: old.environment, logPath: old.logPath)
        try process.start()
        processes[daemon] = process
    }

    func process(_ daemon: Daemon) -> DaemonProcess { processes[daemon]! }

    /// A test that fails half-way must not leave daemons running: whatever is still alive when the
    /// fleet goes away is killed.
    deinit {
        for process in processes.values where process.isRunning { process.killHard() }
    }

    func request(_ daemon: Daemon, _ method: HTTPMethod, _ target: String, body: String? = nil, headers: HTTPHeaders = [:], timeoutMs: Int? = nil) async throws(HTTPClientError) -> HTTPClientResponse {
        var headers = headers
        if body != nil && !headers.contains("Content-Type") { headers.set("Content-Type", "application/json") }
        let request = HTTPClientRequest(method: method, target: target, headers: headers, body: body.map { Array($0.utf8) } ?? [])
        return try await client.send(request, to: try! SocketAddress(parsing: "127.0.0.1:\(ports[daemon]!)"), timeoutMs: timeoutMs)
    }

    /// Polls `/readyz` until 200 or the deadline.
    func waitUntilReady(_ daemon: Daemon, timeout: TimeInterval = 30) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let response = try? await request(daemon, .GET, "/readyz", timeoutMs: 1_000), response.status == .ok { return true }
            if processes[daemon]?.isRunning == false { return false }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return false
    }

    /// SIGTERM to everything; returns each daemon's exit status (nil = had to be killed).
    func stop() -> [Daemon: Int32?] {
        var statuses: [Daemon: Int32?] = [:]
        for (daemon, process) in processes { process.signal(SIGTERM); _ = daemon }
        for (daemon, process) in processes { statuses[daemon] = process.terminate() }
        return statuses
    }

    /// Runs the operator CLI (`lakehouse`) with this fleet's addresses and data dir; returns its exit
    /// status and its output (stdout and stderr together).
    func runCLI(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(DaemonProcess.binDirectory)/lakehouse")
        process.arguments = arguments
        process.environment = environment.merging(extra) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    func removeData() {
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}

extension HTTPClientResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
}
