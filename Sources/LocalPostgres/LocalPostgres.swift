import Foundation
import Postgres
import Vocabulary

/// A private PostgreSQL cluster kept in a data folder and reached over a Unix socket only.
///
/// ``start()`` creates the cluster on first use (`initdb`), starts it (`pg_ctl`) unless it already
/// runs, and creates the application database. PostgreSQL refuses to run as root, so when this
/// process is root the server runs as an unprivileged system user (`postgres` by default) through
/// `runuser`. Only the instance that started the server stops it.
public final class LocalPostgres: Sendable {
    /// Where everything lives: `DATA/postgres` (the cluster), `DATA/postgres.log`, `DATA/run` (socket).
    public let dataDirectory: URL
    /// The database the application uses inside the cluster.
    public let databaseName: String
    /// `fsync=off` is for throwaway test clusters only: a crash can lose committed data.
    public let fsync: Bool
    private let systemUser: String
    private let binDirectory: URL

    public init(
        dataDirectory: URL,
        databaseName: String = "memberaudit",
        fsync: Bool = true,
        systemUser: String = "postgres",
        binDirectory: URL? = nil
    ) throws(LocalPostgresError) {
        self.dataDirectory = dataDirectory.standardizedFileURL
        self.databaseName = databaseName
        self.fsync = fsync
        self.systemUser = systemUser
        if let binDirectory {
            self.binDirectory = binDirectory
        } else {
            self.binDirectory = try Self.findBinDirectory()
        }
    }

    var clusterDirectory: URL { self.dataDirectory.appending(path: "postgres") }
    var logFile: URL { self.dataDirectory.appending(path: "postgres.log") }
    static var isRoot: Bool { geteuid() == 0 }

    /// The socket folder: inside the data folder, unless that path is too long for a Unix socket
    /// (about 107 bytes with the socket's own name), then a folder in /tmp named after the data folder.
    public var socketDirectory: URL {
        let inside = self.dataDirectory.appending(path: "run")
        if inside.path.utf8.count + "/.s.PGSQL.5432".utf8.count < 100 { return inside }
        let digest = self.dataDirectory.path.utf8.reduce(UInt64(1_469_598_103_934_665_603)) {
            ($0 ^ UInt64($1)) &* 1_099_511_628_211
        }
        return URL(fileURLWithPath: "/tmp/memberaudit-pg-\(String(digest, radix: 36))")
    }

    /// The libpq connection string of the application database.
    public var conninfo: String { self.conninfo(database: self.databaseName) }

    func conninfo(database: String) -> String {
        "host='\(self.socketDirectory.path)' port=5432 user=postgres dbname='\(database)'"
    }

    // MARK: - Lifecycle

    /// Whether a server is running on this cluster.
    public var isRunning: Bool {
        guard FileManager.default.fileExists(atPath: self.clusterDirectory.appending(path: "PG_VERSION").path) else {
            return false
        }
        return (try? self.pgctl(["status", "-D", self.clusterDirectory.path]).status == 0) ?? false
    }

    /// Creates the cluster if needed, starts it if it is not running, and creates the database.
    ///
    /// - Returns: whether this call started the server (and so should stop it).
    @discardableResult
    public func start() throws(LocalPostgresError) -> Bool {
        try self.prepareDirectories()
        if !FileManager.default.fileExists(atPath: self.clusterDirectory.appending(path: "PG_VERSION").path) {
            try self.initdb()
        }
        var started = false
        if !self.isRunning {
            var options = "-k '\(self.socketDirectory.path)' -c listen_addresses= -c port=5432"
            if !self.fsync { options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" }
            let result = try self.pgctl([
                "start", "-w", "-t", "60", "-D", self.clusterDirectory.path, "-l", self.logFile.path, "-o", options,
            ])
            if result.status == 0 {
                started = true
            } else if !self.isRunning {  // another process may have started it at the same moment
                throw LocalPostgresError(
                    .server,
                    "PostgreSQL did not start in \(self.dataDirectory.path): \(result.output)\n\(self.logTail())"
                )
            }
        }
        try self.createDatabaseIfMissing()
        return started
    }

    /// Whether processes other than the one connecting as `applicationName` have sessions open on
    /// the server (a command beside `memberaudit run`, a second `run`); nil when that cannot be
    /// asked (the server is not running).
    public func hasOtherClients(than applicationName: String) -> Bool? {
        guard
            let connection = try? PostgresConnection(conninfo: self.conninfo(database: "postgres")),
            let rows = try? connection.query(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name <> $1
                """,
                [applicationName]
            ),
            let count = try? rows.first?.get(0, as: Int64.self)
        else { return nil }
        return count > 0
    }

    /// Stops the server (fast shutdown: open sessions are ended, committed data is kept).
    public func stop() throws(LocalPostgresError) {
        guard self.isRunning else { return }
        let result = try self.pgctl(["stop", "-w", "-t", "60", "-m", "fast", "-D", self.clusterDirectory.path])
        guard result.status == 0 else { throw LocalPostgresError(.server, "PostgreSQL did not stop: \(result.output)") }
    }

    // MARK: - Steps

    private func prepareDirectories() throws(LocalPostgresError) {
        let manager = FileManager.default
        do {
            if !manager.fileExists(atPath: self.dataDirectory.path) {
                try manager.createDirectory(at: self.dataDirectory, withIntermediateDirectories: true)
                // Traversable, not listable, by the server's user when that user is not us.
                chmod(self.dataDirectory.path, 0o711)
            }
            for folder in [self.socketDirectory] where !manager.fileExists(atPath: folder.path) {
                try manager.createDirectory(at: folder, withIntermediateDirectories: true)
                chmod(folder.path, 0o700)
            }
        } catch {
            throw LocalPostgresError(.server, "cannot create \(self.dataDirectory.path): \(error.localizedDescription)")
        }
        guard Self.isRoot else { return }
        guard let user = getpwnam(self.systemUser) else {
            throw LocalPostgresError(
                .setup,
                "running as root, the embedded PostgreSQL needs the system user '\(self.systemUser)' "
                    + "(installed with the postgresql package), which does not exist"
            )
        }
        for folder in [self.socketDirectory] { chown(folder.path, user.pointee.pw_uid, user.pointee.pw_gid) }
        if !manager.fileExists(atPath: self.logFile.path) {
            _ = manager.createFile(atPath: self.logFile.path, contents: nil)
        }
        chown(self.logFile.path, user.pointee.pw_uid, user.pointee.pw_gid)
        if !manager.fileExists(atPath: self.clusterDirectory.path) {
            try? manager.createDirectory(at: self.clusterDirectory, withIntermediateDirectories: false)
            chmod(self.clusterDirectory.path, 0o700)
            chown(self.clusterDirectory.path, user.pointee.pw_uid, user.pointee.pw_gid)
        }
        let probe = try self.run("/usr/bin/test", ["-w", self.clusterDirectory.path], asServerUser: true)
        guard probe.status == 0 else {
            throw LocalPostgresError(
                .setup,
                "the system user '\(self.systemUser)' cannot reach \(self.clusterDirectory.path): every folder "
                    + "above it must be searchable by that user (chmod o+x), or choose another data folder "
                    + "with MEMBERAUDIT_DATA_DIR (for example /var/lib/memberaudit)"
            )
        }
    }

    private func initdb() throws(LocalPostgresError) {
        var arguments = [
            "-D", self.clusterDirectory.path, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8",
        ]
        if !self.fsync { arguments.append("--no-sync") }
        let result = try self.run(self.binDirectory.appending(path: "initdb").path, arguments, asServerUser: true)
        guard result.status == 0 else {
            throw LocalPostgresError(.server, "initdb failed for \(self.clusterDirectory.path): \(result.output)")
        }
    }

    private func createDatabaseIfMissing() throws(LocalPostgresError) {
        do {
            let connection = try PostgresConnection(conninfo: self.conninfo(database: "postgres"))
            let exists = try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [self.databaseName])
            if exists.isEmpty {
                // A database name cannot be a parameter; quote it as an identifier.
                let quoted = "\"" + self.databaseName.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                do {
                    try connection.executeScript("CREATE DATABASE \(quoted)")
                } catch let error where error.sqlState == SQLState(rawValue: "42P04") {
                    // Created by a concurrent starter: fine.
                }
            }
        } catch {
            throw LocalPostgresError(.server, "cannot create the database '\(self.databaseName)': \(error)")
        }
    }

    private func pgctl(_ arguments: [String]) throws(LocalPostgresError) -> (status: Int32, output: String) {
        try self.run(self.binDirectory.appending(path: "pg_ctl").path, arguments, asServerUser: true)
    }

    private func logTail() -> String {
        guard let text = try? String(contentsOf: self.logFile, encoding: .utf8) else { return "" }
        return "last lines of \(self.logFile.path):\n" + text.split(separator: "\n").suffix(10).joined(separator: "\n")
    }

    private func run(
        _ executable: String,
        _ arguments: [String],
        asServerUser: Bool
    ) throws(LocalPostgresError) -> (status: Int32, output: String) {
        if asServerUser && Self.isRoot {
            return try spawnAndWait(Self.runuser, ["-u", self.systemUser, "--", executable] + arguments)
        }
        return try spawnAndWait(executable, arguments)
    }

    private static var runuser: String {
        ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
            ?? "/usr/sbin/runuser"
    }

    /// PostgreSQL's server programs: `MEMBERAUDIT_PG_BINDIR`, else the newest `/usr/lib/postgresql/N/bin`
    /// (Debian keeps them off PATH), else the folder of `initdb` on PATH.
    public static func findBinDirectory() throws(LocalPostgresError) -> URL {
        let manager = FileManager.default
        if let configured = ProcessInfo.processInfo.environment["MEMBERAUDIT_PG_BINDIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        let versions = ((try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions {
            let bin = URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin")
            if manager.isExecutableFile(atPath: bin.appending(path: "initdb").path) { return bin }
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            if manager.isExecutableFile(atPath: "\(folder)/initdb") { return URL(fileURLWithPath: String(folder)) }
        }
        throw LocalPostgresError(
            .setup,
            "PostgreSQL's server programs (initdb, pg_ctl) were not found: install the postgresql package "
                + "(tools/setup does), set MEMBERAUDIT_PG_BINDIR, or set MEMBERAUDIT_DATABASE_URL to use an existing server"
        )
    }
}

/// Why the embedded cluster could not be prepared, started or stopped.
/// The embedded PostgreSQL server cannot be set up or run: its code and a message.
public typealias LocalPostgresError = ModuleError<LocalPostgresErrorCodes>

/// The codes of ``LocalPostgresError``.
public enum LocalPostgresErrorCodes {}

extension ErrorCode where Owner == LocalPostgresErrorCodes {
    /// The machine needs something first: a package, a system user, folder permissions.
    public static let setup = Self("setup", .invalidInput)
    /// The server did not start, stop or create what it was asked to.
    public static let server = Self("server", .unavailable)
}
