// swift-tools-version: 6.2
// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0
//
// Micro-benchmarks of the pure hot-path pieces (path validation, whitelist match, query rewriting), kept out of
// the main package so `swift build` and CI never build ordo-one/benchmark. `Sources/SidecarCore` is a symlink
// to the main package's target: the code measured is the code shipped. Run: `make bench-micro`, or
// `swift package --disable-sandbox benchmark` here.

import PackageDescription

let package = Package(
    name: "wxsidecar-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"])
    ],
    targets: [
        .target(name: "SidecarCore", path: "Sources/SidecarCore"),
        .executableTarget(
            name: "HotPath",
            dependencies: ["SidecarCore", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/HotPath",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
