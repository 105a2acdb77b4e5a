// swift-tools-version: 6.2
// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0
//
// The front floor: the least a SwiftNIO HTTP/1 front costs per call on this machine, measured by `make bench`
// beside the libcurl floor (Benchmarks/curl-floor). One event loop, NIO's own HTTP/1 server pipeline, a fixed
// 1 KB JSON answer; with `hop`, each request also goes to a second thread and back before it is answered (the
// two cross-thread hand-offs every sidecar call makes to and from its libcurl thread). Kept out of the main package
// so `swift build` and CI never build it. Run by Benchmarks/bench.sh (BENCH_FRONT_FLOOR=0 skips it).

import PackageDescription

let package = Package(
    name: "front-floor",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2")
    ],
    targets: [
        .executableTarget(
            name: "FrontFloor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
