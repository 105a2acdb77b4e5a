// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - DriverThread

/// A joinable OS thread outside the Swift concurrency pool, running one closure.
struct DriverThread: Sendable {
    /// The closure handed to the new thread through its start argument.
    private final class Start: Sendable {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    #if canImport(Darwin)
    private let handle: pthread_t?
    #else
    private let handle: pthread_t
    #endif

    /// Starts a thread running `body`.
    ///
    /// - Parameters:
    ///   - name: The thread name shown by debuggers and `top -H` (at most 15 bytes are kept on Linux).
    ///   - body: What the thread runs; the thread ends when it returns.
    /// - Throws: ``CurlError/Kind/setup`` when the thread cannot be created.
    init(name: String, body: @escaping @Sendable () -> Void) throws(CurlError) {
        let start = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        #if canImport(Darwin)
        var handle: pthread_t? = nil
        #else
        var handle = pthread_t()
        #endif
        let result = pthread_create(&handle, nil, { argument in
            #if canImport(Darwin)
            let start = Unmanaged<Start>.fromOpaque(argument).takeRetainedValue()
            _ = start.name.withCString { pthread_setname_np($0) }
            #else
            let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
            DriverThread.nameCurrentThread(start.name)
            #endif
            start.body()
            return nil
        }, start)
        guard result == 0 else {
            Unmanaged<Start>.fromOpaque(start).release()
            throw CurlError(.setup, message: "cannot create the \(name) thread (pthread_create returned \(result))")
        }
        self.handle = handle
    }

    #if !canImport(Darwin)
    /// Names the calling thread through procfs (Glibc does not export `pthread_setname_np` to Swift); best effort.
    private static func nameCurrentThread(_ name: String) {
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }
    #endif

    /// Waits for the thread to end; does nothing when called on the thread itself.
    func join() {
        #if canImport(Darwin)
        guard let handle, pthread_equal(handle, pthread_self()) == 0 else { return }
        #else
        guard pthread_equal(handle, pthread_self()) == 0 else { return }
        #endif
        pthread_join(handle, nil)
    }
}
