// swift-tools-version: 6.2
//
// wxsidecar: keeps a WeChat access_token fresh in a file and proxies whitelisted
// api.weixin.qq.com paths over plain HTTP, in the manner of WeChat Cloud Hosting.
//
// Targets, lightest first:
//   SidecarCore     pure logic, no dependencies (path validation, whitelist, schedule, errcodes)
//   CCurl           libcurl system library with a static-inline shim
//   CurlClient      Swift owner of libcurl handles: one multi handle on one driver thread
//   Sidecar         the daemon: config, token refresher/file, proxy, admin, services
//   WeChatEmulator  a fake api.weixin.qq.com for tests and local development, and WeChat's message push client
//   wxsidecar       the executable: argument parsing and bootstrap only
//   PushEnvelopeFuzzer  libFuzzer over WeChatPush (scripts/fuzz.sh); in this build, a replayer of its inputs

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "wxsidecar",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wxsidecar", targets: ["wxsidecar"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(
            url: "https://github.com/apple/swift-configuration.git", from: "1.4.0",
            traits: [.defaults, "YAML", "Reloading"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        .target(name: "SidecarCore", swiftSettings: swiftSettings),
        // WeChat's message push protocol: signatures, the AES envelope, the XML and the passive reply. Used by the
        // sidecar's inbound gateway and by the emulator's push client.
        // WeChat's server API security (signing and encryption, mini programs): the AES-256-GCM envelope, the
        // RSA-PSS signatures, the platform certificates. Used by the sidecar's proxy and the emulator's platform side.
        .target(
            name: "WeChatAPISecurity",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WeChatPush",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // glibc's <malloc.h> (malloc_trim), for the heap releaser.
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "CurlClient",
            dependencies: [
                "CCurl",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Sidecar",
            dependencies: [
                "SidecarCore",
                "WeChatPush",
                "WeChatAPISecurity",
                "CurlClient",
                "CMalloc",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WeChatEmulator",
            dependencies: [
                "WeChatPush",
                "WeChatAPISecurity",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                "CurlClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "wxsidecar",
            dependencies: [
                "Sidecar",
                "WeChatEmulator",
                "WeChatAPISecurity",
                .product(name: "CryptoExtras", package: "swift-crypto"),
                "WeChatPush",
                "CurlClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // libFuzzer over WeChatPush, the `push_envelope` target of `make fuzz`: scripts/fuzz.sh builds it into
        // .build-fuzz/spm with `-sanitize=fuzzer,address -DFUZZING` (it needs swift-crypto, so it cannot be compiled
        // with swiftc alone like the SidecarCore targets). In this build it replays the inputs named on its command
        // line through the same checks. CLibFuzzer only declares libFuzzer's entry for it.
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .executableTarget(
            name: "PushEnvelopeFuzzer",
            dependencies: [
                "WeChatPush",
                "CLibFuzzer",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            path: "Fuzz",
            exclude: ["corpus", "make_seeds.py", "Targets", "Support/Reference.swift"],
            sources: ["Support/Harness.swift", "PushEnvelope"],
            swiftSettings: swiftSettings
        ),
        // Test support shared by the test targets: generated TLS material, temporary folders, the in-process
        // emulator + sidecar harness, a raw-socket HTTP client, bounded waits, child processes (CSpawn declares the
        // two glibc calls their launcher needs).
        .systemLibrary(name: "CSpawn", path: "Tests/CSpawn"),
        .target(
            name: "TestSupport",
            dependencies: [
                "CSpawn",
                "Sidecar",
                "CurlClient",
                "WeChatEmulator",
                "WeChatPush",
                "WeChatAPISecurity",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CurlClientTests",
            dependencies: [
                "CurlClient",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WeChatEmulatorTests",
            dependencies: [
                "WeChatEmulator",
                "WeChatPush",
                "CurlClient",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WeChatAPISecurityTests",
            dependencies: [
                "WeChatAPISecurity",
                "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WeChatPushTests",
            dependencies: [
                "WeChatPush",
                "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SidecarCoreTests",
            dependencies: ["SidecarCore"],
            swiftSettings: swiftSettings
        ),
        // Operations: the systemd notify protocol against a real datagram socket, credentials, `make install`,
        // JSON logs. Runs the built `wxsidecar` executable as a subprocess for signals.
        .testTarget(
            name: "OperationsTests",
            dependencies: [
                "Sidecar",
                "SidecarCore",
                "CurlClient",
                "WeChatEmulator",
                "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Reliability: fault injection against the emulator, malformed HTTP, disconnecting clients, fd and RSS
        // checks on the built `wxsidecar` run as a subprocess.
        .testTarget(
            name: "ReliabilityTests",
            dependencies: [
                "Sidecar",
                "SidecarCore",
                "CurlClient",
                "WeChatEmulator",
                "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The fleet: many sidecars on one appid through token rotations and invalidations (`make fleet`; run on its
        // own in CI because it loads the machine for a minute).
        .testTarget(
            name: "FleetTests",
            dependencies: [
                "Sidecar",
                "CurlClient",
                "WeChatEmulator",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SidecarTests",
            dependencies: [
                "Sidecar",
                "SidecarCore",
                "CurlClient",
                "WeChatEmulator",
                "TestSupport",
                "WeChatAPISecurity",
                "WeChatPush",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
