// swift-tools-version:6.0
import PackageDescription

// The flow is manifests → live state → pairing → diff → plan → apply. Each C library sits behind
// one owning Swift type in one module: libyaml in YAMLReader, libcurl in NGCPClient, libgit2 in
// GitSource, libmicrohttpd and SQLite in Emulator.
let package = Package(
    name: "ngcpctl",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ngcpctl", targets: ["ngcpctl"]),
        .executable(name: "ngcp-emulator", targets: ["ngcp-emulator"]),
    ],
    targets: [
        // C libraries from Debian.
        .systemLibrary(name: "CYaml", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(
            name: "CSQLite3", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // glibc's malloc.h, for the allocator settings of the command-line tool.
        .systemLibrary(name: "CMalloc"),

        // Shared vocabulary: JSON values, resource identity, desired and live models, plans.
        .target(name: "NGCPCore", dependencies: ["CMalloc"]),
        .target(name: "ArgumentParsing"),

        // manifests → desired state
        .target(name: "YAMLReader", dependencies: ["CYaml"]),
        .target(name: "Manifests", dependencies: ["NGCPCore", "YAMLReader"]),

        // live state
        .target(name: "NGCPClient", dependencies: ["NGCPCore", "CCurl"]),
        .target(name: "LiveState", dependencies: ["NGCPCore", "NGCPClient"]),

        // pairing → diff → plan
        .target(name: "Planning", dependencies: ["NGCPCore"]),

        // guardrails checked against every plan
        .target(name: "Policies", dependencies: ["NGCPCore", "YAMLReader"]),

        // apply
        .target(name: "Apply", dependencies: ["NGCPCore", "NGCPClient"]),

        // live state → manifests
        .target(
            name: "Export",
            dependencies: ["NGCPCore", "LiveState", "NGCPClient", "Manifests", "Planning"]),

        // git as the source of truth
        .target(name: "GitSource", dependencies: ["CGit2"]),

        // the local NGCP API
        .target(name: "Emulator", dependencies: ["NGCPCore", "CMicroHTTPD", "CSQLite3"]),

        .executableTarget(
            name: "ngcpctl",
            dependencies: [
                "NGCPCore", "ArgumentParsing", "Manifests", "NGCPClient", "LiveState",
                "Planning", "Policies", "Apply", "GitSource", "Export",
            ]),
        .executableTarget(
            name: "ngcp-emulator", dependencies: ["NGCPCore", "ArgumentParsing", "Emulator"]),

        .testTarget(name: "NGCPCoreTests", dependencies: ["NGCPCore", "ArgumentParsing"]),
        .testTarget(
            name: "ManifestsTests", dependencies: ["Manifests", "YAMLReader", "NGCPCore"],
            exclude: ["Corpus"]),
        .testTarget(
            name: "PlanningTests", dependencies: ["Planning", "NGCPCore", "Manifests"],
            exclude: ["Golden"]),
        .testTarget(name: "PoliciesTests", dependencies: ["Policies", "NGCPCore"]),
        .testTarget(
            name: "ClientTests",
            dependencies: ["NGCPClient", "LiveState", "Apply", "Emulator", "NGCPCore"]),
        .testTarget(name: "EmulatorTests", dependencies: ["Emulator", "NGCPCore"]),
        .testTarget(
            name: "ExportTests",
            dependencies: [
                "Export", "Manifests", "YAMLReader", "Planning", "Apply", "LiveState",
                "NGCPClient", "Emulator", "NGCPCore",
            ]),
        .testTarget(
            name: "ApplyFaultTests",
            dependencies: [
                "Apply", "Planning", "Manifests", "LiveState", "NGCPClient", "Emulator", "NGCPCore",
            ]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "GitSource", "Emulator", "NGCPCore", "Planning", "Manifests", "Apply",
                "NGCPClient", "LiveState",
            ]),
    ]
)
