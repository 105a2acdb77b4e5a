// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization

// MARK: - TestTLS

/// Throwaway TLS material for tests: a CA and a server certificate it signed, made with the `openssl` command in a
/// ``TemporaryDirectory``.
///
/// The files exist as long as this value (or its ``directory``) is kept. Keys are EC P-256, certificates are valid
/// from now for two days.
///
/// ```swift
/// let tls = try TestTLS.generate()
/// // server: tls.certificatePath + tls.privateKeyPath; client: trust tls.caPath
/// ```
public struct TestTLS: Sendable {
    /// The directory holding every file; released with the last copy of this value.
    public let directory: TemporaryDirectory
    /// The CA certificate (PEM), to trust on the client side.
    public let caPath: String
    /// The CA's private key (PEM), to sign more certificates with ``issue(commonName:subjectAltNames:)``.
    public let caKeyPath: String
    /// The server certificate (PEM), signed by the CA.
    public let certificatePath: String
    /// The server's private key (PEM, PKCS#8).
    public let privateKeyPath: String

    /// The subject alternative names the server certificate carries by default: loopback, and `upstream.invalid`, a
    /// name no resolver knows, which only a test proxy (``ConnectProxy``) maps to loopback.
    public static let defaultSubjectAltNames = ["DNS:localhost", "IP:127.0.0.1", "IP:::1", "DNS:upstream.invalid"]

    /// Generates a new CA and a server certificate signed by it.
    ///
    /// - Parameters:
    ///   - caName: The CA's common name.
    ///   - commonName: The server certificate's common name.
    ///   - subjectAltNames: The server certificate's names, in `openssl` form (`DNS:name`, `IP:address`).
    /// - Returns: The paths of the files.
    /// - Throws: ``OpenSSLFailure`` when an `openssl` command fails; file errors.
    public static func generate(
        caName: String = "wxsidecar test CA",
        commonName: String = "localhost",
        subjectAltNames: [String] = defaultSubjectAltNames
    ) throws -> TestTLS {
        let directory = try TemporaryDirectory(prefix: "wxsidecar-tls")
        let caPath = directory.path("ca.pem")
        let caKeyPath = directory.path("ca.key")
        try runOpenSSL([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", caKeyPath, "-out", caPath, "-days", "2", "-subj", "/CN=\(caName)",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        let ca = TestTLS(
            directory: directory, caPath: caPath, caKeyPath: caKeyPath, certificatePath: "", privateKeyPath: "")
        let (certificatePath, privateKeyPath) = try ca.issue(commonName: commonName, subjectAltNames: subjectAltNames)
        return TestTLS(
            directory: directory, caPath: caPath, caKeyPath: caKeyPath,
            certificatePath: certificatePath, privateKeyPath: privateKeyPath)
    }

    /// One CA and server certificate (``generate(caName:commonName:subjectAltNames:)``'s defaults) for the whole
    /// test process: made on first use, reused by every harness and emulator that speaks TLS (one set of
    /// `openssl` runs per process instead of one per test), and removed when the process exits.
    /// - Throws: What generating it threw, to every caller.
    public static func shared() throws -> TestTLS {
        try sharedMaterial.get()
    }

    private static let sharedMaterial = Result<TestTLS, any Error> {
        let tls = try generate()
        atexit { TestTLS.removeShared() }
        return tls
    }

    private static func removeShared() {
        if case .success(let tls) = sharedMaterial { tls.directory.remove() }
    }

    /// Issues another server certificate signed by this CA, in the same directory.
    ///
    /// - Parameters:
    ///   - commonName: The certificate's common name; also names its files.
    ///   - subjectAltNames: The certificate's names, in `openssl` form (`DNS:name`, `IP:address`).
    /// - Returns: The paths of the certificate and its private key.
    /// - Throws: ``OpenSSLFailure`` when an `openssl` command fails; file errors.
    public func issue(
        commonName: String,
        subjectAltNames: [String] = defaultSubjectAltNames
    ) throws -> (certificatePath: String, privateKeyPath: String) {
        let stem = commonName.map { $0.isLetter || $0.isNumber ? $0 : "_" }
        let keyPath = directory.path("\(String(stem)).key")
        let requestPath = directory.path("\(String(stem)).csr")
        let certificatePath = directory.path("\(String(stem)).pem")
        let extensions = try directory.write(
            """
            subjectAltName=\(subjectAltNames.joined(separator: ","))
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth
            """,
            to: "\(String(stem)).ext"
        )
        try Self.runOpenSSL([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", keyPath, "-out", requestPath, "-subj", "/CN=\(commonName)",
        ])
        try Self.runOpenSSL([
            "x509", "-req", "-in", requestPath, "-CA", caPath, "-CAkey", caKeyPath, "-CAcreateserial",
            "-out", certificatePath, "-days", "2", "-extfile", extensions,
        ])
        return (certificatePath, keyPath)
    }

    /// Runs `openssl` with `arguments`, throwing its standard error when it fails.
    public static func runOpenSSL(_ arguments: [String]) throws {
        let output = Mutex<[UInt8]>([])
        let process = try ChildProcess("/usr/bin/env", ["openssl"] + arguments, output: .chunks { bytes in
            output.withLock { $0 += bytes }
        })
        let status = process.waitUntilExit()
        guard status == 0 else {
            throw OpenSSLFailure(
                arguments: arguments, status: status, message: String(decoding: output.withLock { $0 }, as: UTF8.self))
        }
    }
}

// MARK: - OpenSSLFailure

/// An `openssl` command that exited with a failure.
public struct OpenSSLFailure: Error, CustomStringConvertible {
    /// The arguments after `openssl`.
    public var arguments: [String]
    /// The exit status.
    public var status: Int32
    /// What the command wrote (standard output and error).
    public var message: String

    /// The command, its status and its message.
    public var description: String {
        "openssl \(arguments.joined(separator: " ")) exited with \(status): \(message)"
    }
}
