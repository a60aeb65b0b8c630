import Foundation
import Glibc
import Synchronization

/// Runs one daemon: configuration → service → server → state load → ready → wait for a signal →
/// drain → flush → exit 0. Each executable's `main.swift` is one call to `DaemonRuntime.run`.
public enum DaemonRuntime {
    /// Never returns. Exit codes: 0 after a graceful stop, 1 when the service cannot start or the
    /// address cannot be bound, 2 on bad configuration (with one clear line on stderr).
    public static func run(_ daemon: Daemon, environment: [String: String] = ProcessInfo.processInfo.environment,
                           makeService: (DaemonContext) throws -> any DaemonService) async -> Never {
        let environment = Environment(environment)
        let config: CommonConfig
        do {
            config = try CommonConfig(daemon: daemon, environment: environment)
        } catch {
            exitWithConfigError(daemon, error.message)
        }
        let logger = Logger(daemon: daemon.rawValue, level: config.logLevel)
        let signals = ShutdownSignal()
        let metrics = MetricsRegistry()
        let client = HTTPClient(configuration: .init(connectTimeoutMs: config.peerConnectTimeoutMs, requestTimeoutMs: config.peerTimeoutMs))
        let context = DaemonContext(
            daemon: daemon, config: config, environment: environment, logger: logger, metrics: metrics,
            peers: PeerClient(client: client, addresses: config.peers, serviceToken: config.serviceToken)
        )
        let service: any DaemonService
        do {
            service = try makeService(context)
        } catch let error as ConfigError {
            exitWithConfigError(daemon, error.message)
        } catch {
            logger.error("cannot build the service: \(error)")
            exit(1)
        }

        let started = StartupFlag()
        var router = Router()
        StandardEndpoints(daemon: daemon, startedAt: MonotonicClock.nanoseconds(), started: started, metrics: metrics, service: service).register(&router)
        service.register(&router)
        let server = HTTPServer(
            configuration: config.serverConfiguration,
            dispatcher: RequestDispatcher(router: router, metrics: metrics, logger: logger,
                                          authentication: .init(serviceToken: config.serviceToken, apiKeys: daemon == .gateway ? config.apiKeys : []))
        )
        registerProcessMetrics(metrics, server: server)
        do {
            try server.start()
        } catch {
            logger.error("cannot listen: \(error)", [("addr", config.listenAddress.description)])
            exit(1)
        }
        logger.info("listening", [("addr", "\(config.listenAddress.host):\(server.port)"), ("version", LakehouseVersion.current), ("pid", String(getpid()))])

        let notifier = SystemdNotifier(environment: environment)
        let startup = Task {
            do {
                try await service.start()
                started.set()
                notifier.notify("READY=1\nSTATUS=serving")
                logger.info("ready")
            } catch {
                logger.error("cannot start: \(error)")
                exit(1)
            }
        }
        let watchdog = SystemdNotifier.watchdogInterval(environment: environment).map { usec in
            Task { await Watchdog.run(notifier: notifier, intervalUsec: usec / 2, group: server.group) }
        }

        let signal = await signals.wait()
        logger.info("stopping", [("signal", signal == SIGINT ? "SIGINT" : "SIGTERM")])
        notifier.notify("STOPPING=1")
        startup.cancel()
        watchdog?.cancel()
        await server.shutdown(timeoutMs: config.drainTimeoutMs)
        await service.shutdown()
        logger.info("stopped")
        exit(0)
    }

    static func exitWithConfigError(_ daemon: Daemon, _ message: String) -> Never {
        let line = "\(daemon.rawValue): configuration error: \(message)\n"
        FileHandle.standardError.write(Data(line.utf8))
        exit(2)
    }

    static func registerProcessMetrics(_ metrics: MetricsRegistry, server: HTTPServer) {
        let started = Date()
        metrics.gauge("process_resident_memory_bytes", help: "Resident set size.") { Double(ProcessStats.residentBytes()) }
        metrics.gauge("process_uptime_seconds", help: "Seconds since the daemon started.") { Date().timeIntervalSince(started) }
        metrics.gauge("lakehouse_http_open_connections", help: "Open server connections.") { Double(server.connectionCount) }
        metrics.gauge("lakehouse_http_in_flight_requests", help: "Requests inside a handler now.") {
            Double(server.inFlightRequests.load(ordering: .relaxed))
        }
    }
}

/// systemd's watchdog is fed only while every event loop still turns: a wedged loop stops the
/// pings and systemd restarts the daemon.
enum Watchdog {
    static func run(notifier: SystemdNotifier, intervalUsec: UInt64, group: EventLoopGroup) async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: intervalUsec * 1000)
            // Each loop must turn once; a wedged loop never returns here and the pings stop.
            for loop in group.loops { await loop.run {} }
            notifier.notify("WATCHDOG=1")
        }
    }
}
