// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "memberaudit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "memberaudit", targets: ["CLI"]),
        .executable(name: "memberaudit-bench", targets: ["Bench"]),
        .executable(name: "esi-simulator", targets: ["SimulatorCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: C libraries (each imported only by the module that wraps it)
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // MARK: Build tooling
        .executableTarget(name: "embed-files", path: "Sources/EmbedFilesTool"),
        .plugin(name: "EmbedFiles", capability: .buildTool(), dependencies: ["embed-files"]),

        // MARK: Libraries
        .target(name: "LZ4", dependencies: ["CLZ4", "CZlib"], swiftSettings: swiftSettings),
        .target(name: "Zip", dependencies: ["Vocabulary", "CZlib"], swiftSettings: swiftSettings),
        .target(name: "Exports", dependencies: ["Postgres", "Zip"], swiftSettings: swiftSettings),
        .target(name: "CUniverseArchive", path: "Sources/CUniverseArchive"),
        .target(
            name: "StaticData",
            dependencies: ["Vocabulary", "CUniverseArchive", "LZ4"],
            swiftSettings: swiftSettings,
            plugins: ["EmbedFiles"]
        ),
        .target(name: "Postgres", dependencies: ["Vocabulary", "CLibPQ"], swiftSettings: swiftSettings),
        .target(
            name: "TokenVault",
            dependencies: ["Vocabulary", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Sections and routes: the words every module uses about ESI data, below all of them.
        .target(name: "Vocabulary", swiftSettings: swiftSettings),
        .target(
            name: "ESI",
            dependencies: [
                "Vocabulary", "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "LocalPostgres", dependencies: ["Vocabulary", "Postgres"], swiftSettings: swiftSettings),
        .target(
            name: "Migrations",
            dependencies: ["Vocabulary", "Postgres", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings,
            plugins: ["EmbedFiles"]
        ),
        .target(
            name: "EventLog",
            dependencies: [
                "Vocabulary", "Observability", "Postgres", "LZ4", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Observability",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Settings",
            dependencies: ["Vocabulary", "Postgres", "LocalPostgres"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Sync",
            dependencies: [
                "Vocabulary", "ESI", "EventLog", "Observability", "Postgres", "Settings", "TokenVault",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SkillSets",
            dependencies: ["Vocabulary", "Postgres", "StaticData"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Universe",
            dependencies: [
                "Vocabulary", "Postgres", "StaticData", "Zip", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "Reports", dependencies: ["Vocabulary", "Postgres"], swiftSettings: swiftSettings),
        .target(name: "Access", dependencies: ["Vocabulary", "Postgres"], swiftSettings: swiftSettings),
        // Workflows that span modules, used by the command line and the web app alike.
        .target(
            name: "Application",
            dependencies: ["Access", "ESI", "Postgres", "Projections", "SkillSets", "Sync", "Vocabulary"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Web",
            dependencies: [
                "Access", "Application", "Audit", "ESI", "Exports", "Migrations", "Observability", "Postgres",
                "Projections", "Reports", "SkillSets", "StaticData", "Sync", "TokenVault", "Vocabulary",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Projections",
            dependencies: [
                "Vocabulary", "EventLog", "Postgres", "SkillSets", "StaticData", "Universe",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedFiles"]
        ),
        .target(
            name: "Audit",
            dependencies: ["Vocabulary", "EventLog", "Postgres", "Projections"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SyncTestSupport",
            dependencies: [
                "ESI", "ESISimulator", "EventLog", "Postgres", "Sync", "TestSupport", "TokenVault",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Postgres", "Migrations", "LocalPostgres", "Universe",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "ESISimulator",
            dependencies: [
                "StaticData", "Vocabulary",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedFiles"]
        ),

        // MARK: Executables
        .executableTarget(
            name: "CLI",
            dependencies: [
                "Access", "Application", "Audit", "ESI", "EventLog", "Exports", "LocalPostgres", "Migrations",
                "Observability", "Postgres", "Projections", "Reports", "Settings", "SimulatorCommandLine", "SkillSets",
                "StaticData", "Sync", "TokenVault", "Universe", "Vocabulary", "Web",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SimulatorCommandLine",
            dependencies: [
                "ESISimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SimulatorCLI",
            dependencies: ["SimulatorCommandLine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "Access", "Audit", "ESI", "ESISimulator", "EventLog", "LZ4", "Migrations", "Postgres", "Projections",
                "Reports", "SkillSets", "StaticData", "Sync", "TokenVault", "Universe", "Web", "Vocabulary",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Bench",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .testTarget(name: "LZ4Tests", dependencies: ["LZ4"], swiftSettings: swiftSettings),
        .testTarget(name: "ZipTests", dependencies: ["Zip", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Vocabulary", "Postgres", "LocalPostgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MigrationsTests",
            dependencies: ["Migrations", "Postgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StaticDataTests",
            dependencies: ["StaticData", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SkillSetsTests",
            dependencies: ["SkillSets", "StaticData", "Vocabulary"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ESISimulatorTests",
            dependencies: [
                "ESISimulator", "StaticData", "Vocabulary",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ESITests",
            dependencies: [
                "ESI", "ESISimulator", "Vocabulary",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccessTests",
            dependencies: ["Vocabulary", "Access", "Application", "Migrations", "Postgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "Access", "Application", "Audit", "ESI", "ESISimulator", "Postgres", "Projections", "Reports",
                "SkillSets", "StaticData", "Sync", "SyncTestSupport", "TestSupport", "TokenVault", "Vocabulary", "Web",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TokenVaultTests", dependencies: ["TokenVault", "Vocabulary"], swiftSettings: swiftSettings),
        .testTarget(name: "SettingsTests", dependencies: ["Settings", "Vocabulary"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ObservabilityTests",
            dependencies: ["Observability", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["EventLog", "LocalPostgres", "Postgres", "Projections", "TestSupport", "Zip"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SyncTests",
            dependencies: [
                "ESI", "ESISimulator", "EventLog", "LocalPostgres", "Postgres", "Settings", "Sync", "SyncTestSupport",
                "TestSupport", "TokenVault", "Vocabulary",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProjectionsTests",
            dependencies: [
                "Application", "Audit", "ESI", "ESISimulator", "EventLog", "Postgres", "Projections", "Reports",
                "SkillSets",
                "Sync",
                "SyncTestSupport", "TestSupport", "Vocabulary",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AuditTests",
            dependencies: [
                "Vocabulary",
                "Audit", "ESISimulator", "EventLog", "Postgres", "Projections", "StaticData", "Sync", "SyncTestSupport",
                "TestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "UniverseTests",
            dependencies: ["Vocabulary", "Postgres", "StaticData", "TestSupport", "Universe", "Zip"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EventLogTests",
            dependencies: ["EventLog", "Migrations", "Postgres", "TestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
